import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { Public } from '../identity/decorators';
import { CompleteMessageDto, FetchAndLockDto, MessageFailureDto, StoreMailboxMessageDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

/** The mail workers' side of the outbox (WORKER_TOKEN, no user session). */
@ApiExcludeController()
@Public()
@UseGuards(WorkerTokenGuard)
@Controller('worker')
export class WorkerOutboxController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post('outbox/fetch-and-lock')
  @HttpCode(200)
  fetchAndLock(@Body() dto: FetchAndLockDto) {
    return this.notifications.fetchAndLock(dto);
  }

  @Post('outbox/:id/complete')
  @HttpCode(200)
  complete(@Param('id') id: string, @Body() dto: CompleteMessageDto) {
    return this.notifications.complete(id, dto.workerId);
  }

  @Post('outbox/:id/failure')
  @HttpCode(200)
  failure(@Param('id') id: string, @Body() dto: MessageFailureDto) {
    return this.notifications.fail(id, dto);
  }

  /** Local delivery when no SMTP_URL is set: the message lands in the administrator's mailbox. */
  @Post('mailbox')
  @HttpCode(200)
  storeInMailbox(@Body() dto: StoreMailboxMessageDto) {
    return this.notifications.storeInMailbox(dto);
  }
}
