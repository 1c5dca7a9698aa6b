import { Module } from '@nestjs/common';
import { ApprovalRepository } from '../approval/approval.repository.js';
import { ImportDriver } from './import-driver.js';
import { ImportEventsRepository } from './import-events.repository.js';
import { NotificationOutbox } from '../notifications/notification-outbox.js';
import { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import { ImportsRepository } from './imports.repository.js';

/** What both the API and the workers need: the import rows and the driver that moves them. */
@Module({
  providers: [ImportsRepository, ImportDriver, ImportEventsRepository, ApprovalRepository, WebhookOutbox, NotificationOutbox],
  exports: [ImportsRepository, ImportDriver, ImportEventsRepository, ApprovalRepository],
})
export class ImportsCoreModule {}
