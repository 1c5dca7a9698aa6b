import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { WEBHOOK_EVENTS } from './webhook-events.js';
import { DELIVERY_STATUSES, type Attempt, type Delivery, type Webhook } from './webhooks.repository.js';

/* What the webhooks API answers with, for the OpenAPI document. */

const EVENTS: ApiPropertyOptions = { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS, '*'] } };

export class WebhookBody implements Webhook {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty(EVENTS) events!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreatedWebhookBody extends WebhookBody {
  @ApiProperty({ description: 'The signing secret, shown in this answer only.', example: 'whsec_…' }) secret!: string;
}

export class AttemptBody implements Attempt {
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'The HTTP status the receiver answered; null when it could not be reached.' }) status!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ description: 'How long it took, in milliseconds.' }) ms!: number;
}

export class DeliveryBody implements Delivery {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) webhookId!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS }) event!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) importId!: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: Delivery['status'];
  @ApiProperty({ type: [AttemptBody] }) attempts!: Attempt[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deliveredAt!: string | null;
}
