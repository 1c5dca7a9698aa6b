import { Global, Module } from '@nestjs/common';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { SecretBox } from './secret-box.js';
import { SECRET_BOX } from './secrets.tokens.js';

/** The SecretBox that seals what must be kept but never shown: source credentials, webhook secrets. */
@Global()
@Module({
  providers: [{ provide: SECRET_BOX, inject: [ENV], useFactory: (env: Env) => SecretBox.forEnv(env) }],
  exports: [SECRET_BOX],
})
export class SecretsModule {}
