import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { QueueModule, WorkersModule } from './jobs/jobs.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ConfigModule } from './modules/config/config.module.js';
import type { Env } from './modules/config/env.js';
import { DatabaseModule } from './modules/database/database.module.js';
import { DirectoryModule } from './modules/directory/directory.module.js';
import { DomainErrorFilter } from './modules/http/domain-error.filter.js';
import { HealthController } from './modules/http/health.controller.js';
import { ImportsModule } from './modules/imports/imports.module.js';
import { ProfilesModule } from './modules/profiles/profiles.module.js';
import { RateLimitModule } from './modules/rate-limit/rate-limit.module.js';
import { SchedulesModule } from './modules/schedules/schedules.module.js';
import { SecretsModule } from './modules/secrets/secrets.module.js';
import { SettingsModule } from './modules/settings/settings.module.js';
import { SourcesModule } from './modules/sources/sources.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { ConsoleModule } from './modules/console/console.module.js';

/** The application for a role: the API (ROLE=api), a worker (ROLE=worker), or both (ROLE=all). */
@Module({})
export class AppModule {
  static forRole(env: Env, databaseUrl: string): DynamicModule {
    const api: Type[] = env.role === 'worker' ? [] : [ImportsModule, DirectoryModule, ProfilesModule, SourcesModule, SchedulesModule, SettingsModule, WebhooksModule, NotificationsModule, ConsoleModule];
    if (env.role !== 'worker') api.push(RateLimitModule);
    const workers: Type[] = env.role === 'api' ? [] : [WorkersModule];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRoot({
          pinoHttp: {
            level: env.logLevel,
            autoLogging: { ignore: (req) => req.url === '/health' },
            redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
          },
        }),
        DatabaseModule.forRoot(databaseUrl, env.idleTransactionSeconds),
        QueueModule,
        SecretsModule,
        AuthModule,
        ...api,
        ...workers,
      ],
      controllers: env.role === 'worker' ? [] : [HealthController],
      providers: [{ provide: APP_FILTER, useClass: DomainErrorFilter }],
    };
  }
}
