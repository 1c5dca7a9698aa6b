import { Module } from '@nestjs/common';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { FilesModule } from '../files/files.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { SourcesModule } from '../sources/sources.module.js';
import { ImportsController } from './imports.controller.js';
import { ImportsCoreModule } from './imports-core.module.js';
import { ImportsService } from './imports.service.js';
import { PreviewRepository } from './preview.repository.js';

@Module({
  imports: [FilesModule, ImportsCoreModule, SettingsModule, SourcesModule],
  controllers: [ImportsController],
  providers: [ImportsService, PreviewRepository, CustomFieldsRepository, ProfilesRepository],
})
export class ImportsModule {}
