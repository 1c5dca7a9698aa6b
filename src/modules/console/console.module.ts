import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root: the nearest folder above this file that holds package.json (from dist/ or src/). */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the console module');
    dir = parent;
  }
  return dir;
}

/** Where `npm run build` puts the admin console's static files. */
export const CONSOLE_DIR = path.join(projectRoot(), 'dist', 'console');

/**
 * Serves the admin console at `/` from the same process: static files only, talking to the public
 * API with the key the person pastes (nothing private). Files are checked before the API's routes;
 * a path that is not a file goes on to them.
 */
@Module({})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    const serve = express.static(CONSOLE_DIR, { index: 'index.html', maxAge: 0, fallthrough: true });
    consumer
      .apply((request: Request, response: Response, next: NextFunction) => {
        if ((request.method !== 'GET' && request.method !== 'HEAD') || /^\/(v1|health|metrics)(\/|$|\?)/.test(request.originalUrl)) return next();
        // The router hands middleware a path relative to its mount point: serve by the whole URL.
        request.url = request.originalUrl;
        serve(request, response, next);
      })
      .forRoutes('{*path}');
  }
}
