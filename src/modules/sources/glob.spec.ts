import { describe, expect, it } from '@jest/globals';
import { globMatcher } from './glob.js';

describe('globMatcher', () => {
  it.each([
    ['people-*.csv', 'people-2026-11-22.csv', true],
    ['people-*.csv', 'people-.csv', true],
    ['people-*.csv', 'staff-2026.csv', false],
    ['people-*.csv', 'people-2026.csv.bak', false],
    ['*.CSV', 'a.csv', false],
    ['export_????.csv', 'export_2026.csv', true],
    ['export_????.csv', 'export_26.csv', false],
    ['[a-c]*.csv', 'b1.csv', true],
    ['[!a-c]*.csv', 'b1.csv', false],
    ['[!a-c]*.csv', 'd1.csv', true],
    ['a.b', 'axb', false],
    ['(x)+.csv', '(x)+.csv', true],
    ['*', '', true],
    ['**x**', 'abcx', true],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(globMatcher(pattern)(name)).toBe(expected);
  });

  it('does not backtrack exponentially', () => {
    const match = globMatcher(`${'*a'.repeat(40)}*b`);
    expect(match('a'.repeat(5000))).toBe(false);
  });
});
