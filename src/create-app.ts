import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import type { Env } from './modules/config/env.js';
import { serveOpenApi } from './modules/http/openapi.js';

/**
 * The application as `main` and the tests create it: the module for the role, its logger, and for
 * a role that serves HTTP, the OpenAPI document (`/openapi.json`) and its browsable docs (`/docs`).
 */
export async function createApp(env: Env, databaseUrl: string, options: { logger?: false } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(env, databaseUrl), { bufferLogs: true, ...options });
  app.useLogger(app.get(Logger));
  if (env.role !== 'worker') serveOpenApi(app);
  return app;
}
