import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ApiErrors, ApiItems } from '../http/api-docs.js';
import { NotFoundError, ValidationError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { WEBHOOK_EVENTS } from './webhook-events.js';
import { CreatedWebhookBody, DeliveryBody, WebhookBody } from './webhooks.schemas.js';
import { WebhooksRepository, type Delivery, type Webhook } from './webhooks.repository.js';

class WebhookDto {
  @ApiProperty({ maxLength: 2000, description: 'An http(s) URL without credentials in it.', example: 'https://hooks.example.com/rostersync' })
  @IsString() @MaxLength(2000)
  url!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENTS, '*'] }, minItems: 1 })
  @IsArray() @ArrayMinSize(1)
  @IsIn([...WEBHOOK_EVENTS, '*'], { each: true, message: `each event must be one of ${WEBHOOK_EVENTS.join(', ')} or *` })
  events!: string[];
}

const NOT_FOUND = 'no such webhook in this workspace.';

const webhookId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Webhook not found.') });

/** Webhooks: signed POSTs when imports change state, complete, fail or wait for approval. */
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksRepository) {}

  /** The signing secret is in this answer only. */
  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Add a webhook (its signing secret is shown once)' })
  @ApiBody({ type: WebhookDto })
  @ApiCreatedResponse({ type: CreatedWebhookBody , description: 'The webhook, with its signing secret.' })
  @ApiErrors({ 400: 'the url is not an http(s) URL without credentials, or an event is unknown.', 503: 'not_configured: webhook secrets need ROSTERSYNC_SECRET_KEY.' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<Webhook & { secret: string }> {
    const dto = validateInput(WebhookDto, body, 'body');
    let url: URL | undefined;
    try {
      url = new URL(dto.url);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
      throw new ValidationError('body is invalid: url must be an http(s) URL without credentials in it', [{ field: 'url', message: 'not an http(s) URL' }]);
    }
    return this.webhooks.create(principal.workspaceId, url.toString(), [...new Set(dto.events)]);
  }

  @Get()
  @ApiOperation({ summary: "The workspace's webhooks (never their secrets)" })
  @ApiItems(WebhookBody, 'The webhooks.')
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: Webhook[] }> {
    return { items: await this.webhooks.list(principal.workspaceId) };
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors({ 404: NOT_FOUND })
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', webhookId) id: string): Promise<void> {
    if (!(await this.webhooks.delete(principal.workspaceId, id))) throw new NotFoundError('Webhook not found.');
  }

  /** The latest deliveries, newest first, with every attempt (time, HTTP status, error, duration). */
  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook's latest 100 deliveries, newest first, with every attempt" })
  @ApiItems(DeliveryBody, 'The deliveries.')
  @ApiErrors({ 404: NOT_FOUND })
  async deliveries(@CurrentPrincipal() principal: Principal, @Param('id', webhookId) id: string): Promise<{ items: Delivery[] }> {
    if (!(await this.webhooks.find(principal.workspaceId, id))) throw new NotFoundError('Webhook not found.');
    return { items: await this.webhooks.deliveries(principal.workspaceId, id, 100) };
  }
}
