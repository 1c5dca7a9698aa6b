import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { REQUIRED_ROLE } from '../http/api-docs.js';
import type { KeyRole } from './api-key.js';

/** Who is calling: the API key and its workspace. */
export interface Principal {
  workspaceId: string;
  workspaceName: string;
  keyId: string;
  /** The key's name: the actor in the history. */
  keyName: string;
  role: KeyRole;
}

export const PUBLIC_ROUTE = 'rostersync:public';
export const ADMIN_ONLY = 'rostersync:admin-only';

// Each also tells the OpenAPI document, so what it says of a route's auth is what the guard does.

/** No API key needed (health). */
export const PublicRoute = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(PUBLIC_ROUTE, true), ApiExtension(REQUIRED_ROLE, 'none'));
/** Viewer keys may read but not call this. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => applyDecorators(SetMetadata(ADMIN_ONLY, true), ApiExtension(REQUIRED_ROLE, 'admin'));

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
