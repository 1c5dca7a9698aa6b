import { Module } from '@nestjs/common';
import { ImportDriver } from './import-driver.js';
import { ImportsRepository } from './imports.repository.js';

/** What both the API and the workers need: the import rows and the driver that moves them. */
@Module({
  providers: [ImportsRepository, ImportDriver],
  exports: [ImportsRepository, ImportDriver],
})
export class ImportsCoreModule {}
