import { Module } from '@nestjs/common';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { ProfilesController } from './profiles.controller.js';
import { ProfilesRepository } from './profiles.repository.js';

@Module({ controllers: [ProfilesController], providers: [ProfilesRepository, CustomFieldsRepository] })
export class ProfilesModule {}
