import { Module } from '@nestjs/common';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { MailboxController, NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { OverdueScanner } from './overdue.scanner';
import { WorkerOutboxController } from './worker-outbox.controller';

/** Mail notifications out of the transactional outbox, the overdue scan and the local mailbox. */
@Module({
  controllers: [WorkerOutboxController, NotificationsController, MailboxController],
  providers: [NotificationsService, OverdueScanner, WorkerTokenGuard],
  exports: [NotificationsService, OverdueScanner],
})
export class NotificationsModule {}
