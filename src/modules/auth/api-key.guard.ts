import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ForbiddenError, UnauthenticatedError } from '../http/domain-errors.js';
import { asSystem, inWorkspace } from '../database/db-scope.js';
import { hashKey } from './api-key.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ADMIN_ONLY, PUBLIC_ROUTE, type Principal } from './principal.js';

/** Every route needs a key unless marked public; admin-only routes refuse viewer keys. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const secret = presentedKey(request);
    // Which workspace is not known until the key is found: the one lookup across workspaces.
    const principal = secret ? await asSystem(() => this.keys.findPrincipal(hashKey(secret))) : undefined;
    if (!principal) throw new UnauthenticatedError();
    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && principal.role !== 'admin') {
      throw new ForbiddenError(`The key "${principal.keyName}" is a viewer key; this request needs an admin key.`);
    }
    request.principal = principal;
    await inWorkspace(principal.workspaceId, () => this.keys.touch(principal));
    return true;
  }
}

function presentedKey(request: Request): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const authorization = request.headers.authorization;
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
