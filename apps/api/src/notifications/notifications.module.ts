import { Module } from '@nestjs/common';
import { WorkerTokenGuard } from '../engine/engine-rest.controller';
import { InAppNotificationsController } from './in-app.controller';
import { InAppRepository } from './in-app.repository';
import { InAppNotificationsService } from './in-app.service';
import { NotificationHub } from './notification-hub';
import { MailboxController, NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { OverdueScanner } from './overdue.scanner';
import { StreamTicketGuard } from './stream-ticket.guard';
import { WorkerOutboxController } from './worker-outbox.controller';

/** Notices out of the transactional outbox: mail (workers, overdue scan, local mailbox) and the in-app bell. */
@Module({
  controllers: [WorkerOutboxController, NotificationsController, MailboxController, InAppNotificationsController],
  providers: [
    NotificationsService,
    OverdueScanner,
    WorkerTokenGuard,
    InAppRepository,
    InAppNotificationsService,
    NotificationHub,
    StreamTicketGuard,
  ],
  exports: [NotificationsService, OverdueScanner],
})
export class NotificationsModule {}
