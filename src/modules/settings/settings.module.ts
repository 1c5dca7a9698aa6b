import { Module } from '@nestjs/common';
import { SettingsController } from './settings.controller.js';
import { WorkspaceSettingsRepository } from './workspace-settings.repository.js';

@Module({ controllers: [SettingsController], providers: [WorkspaceSettingsRepository], exports: [WorkspaceSettingsRepository] })
export class SettingsModule {}
