import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
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

/** No API key needed (health). */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
/** Viewer keys may read but not call this. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
