import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { WorkspaceScopeInterceptor } from './workspace-scope.interceptor.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { KeysController } from './keys.controller.js';
import { MeController } from './me.controller.js';
import { WorkspacesRepository } from './workspaces.repository.js';

@Module({
  controllers: [MeController, KeysController],
  providers: [ApiKeysRepository, ApiKeysService, WorkspacesRepository, { provide: APP_GUARD, useClass: ApiKeyGuard }, { provide: APP_INTERCEPTOR, useClass: WorkspaceScopeInterceptor }],
  exports: [ApiKeysService],
})
export class AuthModule {}
