import { describe, expect, it } from '@jest/globals';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { toE164 } from './phone-number.js';

describe('toE164', () => {
  it('reads national numbers with a calling code or a country, and international ones', () => {
    expect(toE164('0151 2345 6789', '49')).toBe('+4915123456789');
    expect(toE164('0151 2345 6789', '+49')).toBe('+4915123456789');
    expect(toE164('030 1234567', 'de')).toBe('+49301234567');
    expect(toE164('+44 (7700) 900-123', null)).toBe('+447700900123');
  });

  it('refuses what cannot be a phone number', () => {
    expect(toE164('12', '49')).toBeNull();
    expect(toE164('0151 2345 6789', null)).toBeNull(); // no country to read it with
    expect(toE164('0151 2345 6789', 'Germany')).toBeNull();
    expect(toE164('+1 555', null)).toBeNull();
  });

  it('agrees with a full parse on numbers already in E.164 (the fast path)', () => {
    const samples = ['+4915123456789', '+447700900123', '+12025550123', '+861012345678', '+3512', '+99912345678', '+49123', '+7495123456'];
    for (const sample of samples) {
      const parsed = parsePhoneNumberFromString(sample);
      expect([sample, toE164(sample, null)]).toEqual([sample, parsed?.isPossible() ? parsed.number : null]);
    }
  });
});
