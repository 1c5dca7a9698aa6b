import { Module } from '@nestjs/common';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { FilesModule } from '../files/files.module.js';
import { ImportsCoreModule } from '../imports/imports-core.module.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { SettingsModule } from '../settings/settings.module.js';
import { HttpsPuller } from './https-puller.js';
import { SftpPuller } from './sftp-puller.js';
import { SourceImports } from './source-imports.service.js';
import { SourcePulls } from './source-pulls.service.js';
import { SourcesController } from './sources.controller.js';
import { SourcesRepository } from './sources.repository.js';

/** Sources and pulling files from them: the API's routes, and what scheduled runs use in workers. */
@Module({
  imports: [FilesModule, ImportsCoreModule, SettingsModule],
  controllers: [SourcesController],
  providers: [
    SourcesRepository,
    HttpsPuller,
    SftpPuller,
    SourcePulls,
    SourceImports,
    ProfilesRepository,
    CustomFieldsRepository,
  ],
  exports: [SourceImports, SourcesRepository],
})
export class SourcesModule {}
