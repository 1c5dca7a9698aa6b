import { describe, expect, it } from '@jest/globals';
import { typeCustomValue, yesNo } from './custom-field-types.js';

describe('typeCustomValue', () => {
  it('types numbers, yes/no, ISO dates and enum values', () => {
    expect(typeCustomValue({ type: 'number', values: null }, '-12.5e2')).toEqual({ value: -1250 });
    expect(typeCustomValue({ type: 'boolean', values: null }, 'Yes')).toEqual({ value: true });
    expect(typeCustomValue({ type: 'date', values: null }, '2024-02-29')).toEqual({ value: '2024-02-29' });
    expect(typeCustomValue({ type: 'enum', values: ['Full-time', 'Part-time'] }, 'PART-TIME')).toEqual({ value: 'Part-time' });
    expect(typeCustomValue({ type: 'string', values: null }, '007')).toEqual({ value: '007' });
  });

  it('says why a value is not of its type', () => {
    expect(typeCustomValue({ type: 'number', values: null }, '1,5')).toHaveProperty('problem');
    expect(typeCustomValue({ type: 'number', values: null }, 'Infinity')).toHaveProperty('problem');
    expect(typeCustomValue({ type: 'boolean', values: null }, 'maybe')).toHaveProperty('problem');
    expect(typeCustomValue({ type: 'date', values: null }, '2023-02-29')).toHaveProperty('problem');
    expect(typeCustomValue({ type: 'date', values: null }, '31.01.2026')).toHaveProperty('problem');
    expect(typeCustomValue({ type: 'enum', values: ['A'] }, 'B')).toEqual({ problem: 'is not one of the allowed values ("A")' });
  });

  it('reads yes and no in their common spellings only', () => {
    expect(['y', 'YES', 'true', '1', 'on'].map(yesNo)).toEqual([true, true, true, true, true]);
    expect(['n', 'No', 'FALSE', '0', 'off'].map(yesNo)).toEqual([false, false, false, false, false]);
    expect(yesNo('ja')).toBeNull();
  });
});
