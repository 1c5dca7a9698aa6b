import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { ImportsCoreModule } from '../imports/imports-core.module.js';
import { PreviewRepository } from '../imports/preview.repository.js';
import { ImportFollowup } from './import-followup.js';
import { Mailer } from './mailer.js';
import { RecoveryCodesController } from './recovery-codes.controller.js';

/** E-mail: reports, invitations, and the recovery codes made after an import (workers run ImportFollowup). */
@Module({
  imports: [FilesModule, ImportsCoreModule],
  controllers: [RecoveryCodesController],
  providers: [Mailer, ImportFollowup, PreviewRepository],
  exports: [ImportFollowup],
})
export class NotificationsModule {}
