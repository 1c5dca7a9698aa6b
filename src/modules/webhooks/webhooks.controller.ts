import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ArrayMinSize, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { AdminOnly, CurrentPrincipal, type Principal } from '../auth/principal.js';
import { NotFoundError, ValidationError } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';
import { WEBHOOK_EVENTS } from './webhook-events.js';
import { WebhooksRepository, type Delivery, type Webhook } from './webhooks.repository.js';

class WebhookDto {
  @IsString() @MaxLength(2000)
  url!: string;

  @IsArray() @ArrayMinSize(1)
  @IsIn([...WEBHOOK_EVENTS, '*'], { each: true, message: `each event must be one of ${WEBHOOK_EVENTS.join(', ')} or *` })
  events!: string[];
}

const webhookId = new ParseUUIDPipe({ exceptionFactory: () => new NotFoundError('Webhook not found.') });

/** Webhooks: signed POSTs when imports change state, complete, fail or wait for approval. */
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksRepository) {}

  /** The signing secret is in this answer only. */
  @Post()
  @AdminOnly()
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
  async list(@CurrentPrincipal() principal: Principal): Promise<{ items: Webhook[] }> {
    return { items: await this.webhooks.list(principal.workspaceId) };
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  async delete(@CurrentPrincipal() principal: Principal, @Param('id', webhookId) id: string): Promise<void> {
    if (!(await this.webhooks.delete(principal.workspaceId, id))) throw new NotFoundError('Webhook not found.');
  }

  /** The latest deliveries, newest first, with every attempt (time, HTTP status, error, duration). */
  @Get(':id/deliveries')
  async deliveries(@CurrentPrincipal() principal: Principal, @Param('id', webhookId) id: string): Promise<{ items: Delivery[] }> {
    if (!(await this.webhooks.find(principal.workspaceId, id))) throw new NotFoundError('Webhook not found.');
    return { items: await this.webhooks.deliveries(principal.workspaceId, id, 100) };
  }
}
