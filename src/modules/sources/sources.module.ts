import { Module } from '@nestjs/common';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { CustomFieldsRepository } from '../directory/custom-fields.repository.js';
import { FilesModule } from '../files/files.module.js';
import { ImportsCoreModule } from '../imports/imports-core.module.js';
import { ProfilesRepository } from '../profiles/profiles.repository.js';
import { SettingsModule } from '../settings/settings.module.js';
import { HttpsPuller } from './https-puller.js';
import { SecretBox } from './secret-box.js';
import { SftpPuller } from './sftp-puller.js';
import { SourceImports } from './source-imports.service.js';
import { SourcePulls } from './source-pulls.service.js';
import { SourcesController } from './sources.controller.js';
import { SourcesRepository } from './sources.repository.js';
import { SECRET_BOX } from './sources.tokens.js';

/** Sources and pulling files from them: the API's routes, and what scheduled runs use in workers. */
@Module({
  imports: [FilesModule, ImportsCoreModule, SettingsModule],
  controllers: [SourcesController],
  providers: [
    { provide: SECRET_BOX, inject: [ENV], useFactory: (env: Env) => SecretBox.forEnv(env) },
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
