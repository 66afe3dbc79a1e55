import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { ListAnnouncementsQuery, SaveAnnouncementDto } from './announcements.dto';
import { AnnouncementsService } from './announcements.service';

/** 公告. Who may publish (办公厅) is a unit, not a role, so the service decides it. */
@ApiTags('announcements')
@ApiBearerAuth()
@Controller('announcements')
export class AnnouncementsController {
  constructor(private readonly announcements: AnnouncementsService) {}

  @Get()
  list(@Query() query: ListAnnouncementsQuery, @CurrentUser() me: Principal) {
    return this.announcements.list(me, query);
  }

  @Get('capabilities')
  capabilities(@CurrentUser() me: Principal) {
    return this.announcements.capabilities(me);
  }

  @Post()
  publish(@Body() dto: SaveAnnouncementDto, @CurrentUser() me: Principal) {
    return this.announcements.publish(me, dto);
  }

  @Get(':id')
  get(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.announcements.get(me, id);
  }

  @Put(':id')
  update(@Param('id') id: string, @Body() dto: SaveAnnouncementDto, @CurrentUser() me: Principal) {
    return this.announcements.update(me, id, dto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  withdraw(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.announcements.withdraw(me, id);
  }

  @Post(':id/read')
  @HttpCode(200)
  read(@Param('id') id: string, @CurrentUser() me: Principal) {
    return this.announcements.markRead(me, id);
  }
}
