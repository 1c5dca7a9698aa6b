import { Module } from '@nestjs/common';
import { FILE_STORE } from './file-store.js';
import { PostgresFileStore } from './postgres-file-store.js';

@Module({
  providers: [{ provide: FILE_STORE, useClass: PostgresFileStore }],
  exports: [FILE_STORE],
})
export class FilesModule {}
