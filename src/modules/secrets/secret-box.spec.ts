import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { NotConfiguredError } from '../http/domain-errors.js';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('seals and opens a secret bound to its context', () => {
    const sealed = box.seal({ password: 'hunter2' }, 'source:w1:s1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'source:w1:s1')).toEqual({ password: 'hunter2' });
  });

  it('does not open under another context, another key, or with a cut tag', () => {
    const sealed = box.seal({ token: 't' }, 'source:w1:s1');
    expect(() => box.open(sealed, 'source:w2:s1')).toThrow(NotConfiguredError);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'source:w1:s1')).toThrow(NotConfiguredError);
    const [version, iv, tag, data] = sealed.split(':');
    const cut = [version, iv, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url'), data].join(':');
    expect(() => box.open(cut, 'source:w1:s1')).toThrow(NotConfiguredError);
  });

  it('without a key, says which variable to set', () => {
    expect(() => new SecretBox(undefined).seal({}, 'x')).toThrow(/ROSTERSYNC_SECRET_KEY/);
  });
});
