import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { inWorkspace } from '../database/db-scope.js';
import type { Principal } from './principal.js';

/**
 * A request with a key runs in its workspace's database scope, with the key as the actor (the
 * audit log's). Public routes run in none: what they read, they read as system work, explicitly.
 */
@Injectable()
export class WorkspaceScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (!principal) return next.handle();
    const actor = { name: principal.keyName, keyId: principal.keyId };
    return new Observable((subscriber) => inWorkspace(principal.workspaceId, () => next.handle().subscribe(subscriber), actor));
  }
}
