import { Module } from '@nestjs/common';
import { CustomFieldsController } from './custom-fields.controller.js';
import { CustomFieldsRepository } from './custom-fields.repository.js';
import { GroupsController } from './groups.controller.js';
import { TemplatesController } from './templates.controller.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';

@Module({ controllers: [UsersController, CustomFieldsController, GroupsController, TemplatesController], providers: [UsersRepository, CustomFieldsRepository] })
export class DirectoryModule {}
