import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../identity/decorators';
import { ListMailboxQuery } from './notifications.dto';
import { NotificationsService } from './notifications.service';

/** Mail that could not be sent, for the system administrator to look at and resend. */
@ApiTags('notifications')
@ApiBearerAuth()
@Roles('sysadmin')
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('failed')
  listFailed() {
    return this.notifications.listFailed();
  }

  @Post(':id/retry')
  @HttpCode(200)
  retry(@Param('id') id: string) {
    return this.notifications.retry(id);
  }
}

/** The local mailbox (mail delivered without SMTP_URL), readable by the system administrator. */
@ApiTags('notifications')
@ApiBearerAuth()
@Roles('sysadmin')
@Controller('mailbox')
export class MailboxController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  list(@Query() query: ListMailboxQuery) {
    return this.notifications.listMailbox(query);
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.notifications.getMailboxMessage(id);
  }
}
