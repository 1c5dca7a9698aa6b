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
import { HealthModule } from './modules/health/health.module.js';
import { ImportsModule } from './modules/imports/imports.module.js';
import { MetricsModule } from './modules/metrics/metrics.module.js';
import { ProfilesModule } from './modules/profiles/profiles.module.js';
import { RateLimitModule } from './modules/rate-limit/rate-limit.module.js';
import { SchedulesModule } from './modules/schedules/schedules.module.js';
import { SecretsModule } from './modules/secrets/secrets.module.js';
import { SettingsModule } from './modules/settings/settings.module.js';
import { SourcesModule } from './modules/sources/sources.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { ConsoleModule } from './modules/console/console.module.js';
import { AuditModule } from './modules/audit/audit.module.js';

/** The application for a role: the API (ROLE=api), a worker (ROLE=worker), or both (ROLE=all). */
@Module({})
export class AppModule {
  static forRole(env: Env, databaseUrl: string): DynamicModule {
    const api: Type[] = env.role === 'worker' ? [] : [ImportsModule, DirectoryModule, ProfilesModule, SourcesModule, SchedulesModule, SettingsModule, WebhooksModule, NotificationsModule, AuditModule, ConsoleModule, RateLimitModule];
    const workers: Type[] = env.role === 'api' ? [] : [WorkersModule];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRoot({
          pinoHttp: {
            level: env.logLevel,
            autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|$|\?)/.test(req.url ?? '') },
            redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
          },
        }),
        DatabaseModule.forRoot(databaseUrl, env.idleTransactionSeconds),
        QueueModule,
        SecretsModule,
        AuthModule,
        // Every role: workers count their work through Metrics, and serve both on METRICS_PORT when it is set.
        HealthModule,
        MetricsModule.forRole(env.role),
        ...api,
        ...workers,
      ],
      providers: [{ provide: APP_FILTER, useClass: DomainErrorFilter }],
    };
  }
}
