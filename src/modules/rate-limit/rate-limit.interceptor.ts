import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { Principal } from '../auth/principal.js';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { inWorkspace } from '../database/db-scope.js';
import { RateLimitedError } from '../http/domain-errors.js';
import { ApiKeyRatesRepository } from './api-key-rates.repository.js';

/**
 * Limits each API key's request rate (ROSTERSYNC_RATE_LIMIT_PER_MINUTE, _BURST); over it, 429 with
 * Retry-After. An interceptor, so it runs after the guards: the key is known, and requests without
 * a valid one (401) or to public routes (health) are not counted.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly rates: ApiKeyRatesRepository,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const { rateLimitPerMinute: perMinute, rateLimitBurst: burst } = this.env;
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (perMinute > 0 && principal) {
      const wait = await inWorkspace(principal.workspaceId, () => this.rates.take(principal, { interval: 60 / perMinute, burst }));
      if (wait > 0) {
        throw new RateLimitedError(
          `The key "${principal.keyName}" sent requests faster than the ${perMinute} a minute (up to ${burst} at once) this deployment allows ` +
            `(ROSTERSYNC_RATE_LIMIT_PER_MINUTE, ROSTERSYNC_RATE_LIMIT_BURST): wait ${Math.ceil(wait)} s (Retry-After) and send it again.`,
          new Date(Date.now() + wait * 1000),
        );
      }
    }
    return next.handle();
  }
}
