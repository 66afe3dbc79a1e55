import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, Query, Req, Sse, UseGuards, type MessageEvent } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Observable } from 'rxjs';
import { CurrentUser, Public } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { ListNotificationsQuery, NotificationPreferencesDto, StreamQuery } from './in-app.dto';
import { InAppNotificationsService, type StreamOwner } from './in-app.service';
import { StreamTicketGuard } from './stream-ticket.guard';

/** The signed-in person's own bell: every route acts on `me` only. */
@ApiTags('notifications')
@ApiBearerAuth()
@Controller('me/notifications')
export class InAppNotificationsController {
  constructor(private readonly notifications: InAppNotificationsService) {}

  @Get()
  list(@CurrentUser() me: Principal, @Query() query: ListNotificationsQuery) {
    return this.notifications.list(me, query);
  }

  @Post('read-all')
  @HttpCode(200)
  markAllRead(@CurrentUser() me: Principal) {
    return this.notifications.markAllRead(me);
  }

  @Post(':id/read')
  @HttpCode(200)
  markRead(@CurrentUser() me: Principal, @Param('id') id: string) {
    return this.notifications.markRead(me, id);
  }

  @Get('preferences')
  preferences(@CurrentUser() me: Principal) {
    return this.notifications.preferences(me);
  }

  @Put('preferences')
  savePreferences(@CurrentUser() me: Principal, @Body() dto: NotificationPreferencesDto) {
    return this.notifications.savePreferences(me, dto);
  }

  @Post('stream-ticket')
  @HttpCode(200)
  streamTicket(@CurrentUser() me: Principal) {
    return this.notifications.streamTicket(me);
  }

  /** Server-sent events; EventSource sends no Authorization header, so a one-use ticket stands for the session. */
  @Public()
  @UseGuards(StreamTicketGuard)
  // A reverse proxy (nginx) must pass each event on at once, not buffer the stream.
  @Header('X-Accel-Buffering', 'no')
  @Sse('stream')
  // The query is checked and redeemed by the guard; the DTO documents it.
  stream(@Query() _query: StreamQuery, @Req() req: Request & { streamOwner: StreamOwner }): Observable<MessageEvent> {
    return this.notifications.stream(req.streamOwner);
  }
}
