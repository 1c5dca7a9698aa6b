import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseSecretKey, type Env } from '../config/env.js';
import { NotConfiguredError } from '../http/domain-errors.js';

const VERSION = 'v1';
const KEY_FILE = 'secret-key';

/**
 * Encrypts small secrets (source credentials) with AES-256-GCM. Each ciphertext is bound to what
 * it belongs to (`context`, e.g. workspace and source id): copied onto another row it does not
 * decrypt. Format: `v1:<iv>:<tag>:<ciphertext>`, base64url.
 */
export class SecretBox {
  constructor(private readonly key: Buffer | undefined) {}

  /**
   * The key from ROSTERSYNC_SECRET_KEY (32 bytes as 64 hex digits or base64); on the embedded
   * database without one, a key generated once into the data folder. With DATABASE_URL and no key,
   * every use fails with a message saying what to set: processes on several machines must share it.
   */
  static async forEnv(env: Env): Promise<SecretBox> {
    if (env.secretKey) return new SecretBox(env.secretKey);
    if (env.databaseUrl) return new SecretBox(undefined);
    const file = path.join(env.dataDir, KEY_FILE);
    await fs.mkdir(env.dataDir, { recursive: true });
    const key = randomBytes(32);
    await fs.writeFile(file, key.toString('hex'), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    return new SecretBox(parseSecretKey((await fs.readFile(file, 'utf8')).trim(), file));
  }

  get configured(): boolean {
    return this.key !== undefined;
  }

  seal(value: object, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.requireKey(), iv);
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join(':');
  }

  /** A keyed hash (HMAC-SHA256 under a key derived for `purpose`): without the secret key, a guess cannot be checked. */
  mac(purpose: string, data: string): string {
    const key = createHmac('sha256', this.requireKey()).update(`rostersync:${purpose}`).digest();
    return createHmac('sha256', key).update(data).digest('hex');
  }

  open<T>(sealed: string, context: string): T {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const key = this.requireKey();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')) as T;
    } catch {
      throw new NotConfiguredError('A stored credential cannot be decrypted: ROSTERSYNC_SECRET_KEY is not the key it was saved with. Restore that key, or save the credentials again.');
    }
  }

  private requireKey(): Buffer {
    if (!this.key) {
      throw new NotConfiguredError(
        'Source credentials need ROSTERSYNC_SECRET_KEY (32 random bytes as 64 hex digits, e.g. `openssl rand -hex 32`), the same on every process.',
      );
    }
    return this.key;
  }
}
