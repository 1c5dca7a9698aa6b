import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { ImportRetention } from './import-retention.js';

@Module({
  imports: [FilesModule],
  providers: [ImportRetention],
  exports: [ImportRetention],
})
export class RetentionModule {}
