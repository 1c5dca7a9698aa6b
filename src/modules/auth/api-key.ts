import { createHash, randomBytes } from 'node:crypto';

export type KeyRole = 'admin' | 'viewer';
export const KEY_ROLES: readonly KeyRole[] = ['admin', 'viewer'];

/** A new secret key: 32 random bytes, shown once and stored only as a hash. */
export function generateKey(): string {
  return `rsk_${randomBytes(32).toString('base64url')}`;
}

/** Keys carry 256 bits of randomness, so a plain SHA-256 is as strong as a slow hash here. */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The first characters, to tell keys apart in lists without revealing them. */
export function keyPrefix(key: string): string {
  return key.slice(0, 10);
}
