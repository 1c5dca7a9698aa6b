import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source-options.js';
import { Database } from './database.js';

export const DATABASE_URL = Symbol('DATABASE_URL');

/** The TypeORM connection pool and the Database seam over it. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(url: string, idleTransactionSeconds: number): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(url, 20, idleTransactionSeconds), migrationsRun: false })],
      providers: [Database, { provide: DATABASE_URL, useValue: url }],
      exports: [Database, DATABASE_URL],
    };
  }
}
