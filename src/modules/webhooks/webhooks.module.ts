import { Module } from '@nestjs/common';
import { WebhookSender } from './webhook-sender.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Webhooks: the API, and the sender workers run (deliveries are queued by WebhookOutbox). */
@Module({
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhookSender],
  exports: [WebhookSender],
})
export class WebhooksModule {}
