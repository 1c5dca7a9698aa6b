import { describe, expect, it } from '@jest/globals';
import { normaliseConfig } from '../imports/import-config.js';
import { ZERO_COUNTS } from '../imports/import-record.js';
import { allowance, trippedGates, type GateSignals } from './approval-gates.js';

const signals = (over: Partial<GateSignals> = {}): GateSignals => ({
  counts: { ...ZERO_COUNTS }, activePeople: 200, emptyColumns: [], previousHeaders: null, headers: ['id', 'email'], ...over,
});
const gates = (approval: Record<string, unknown>) => normaliseConfig({ approval }).approval;

describe('approval gates', () => {
  it('allow counts and percentages of the active people', () => {
    expect(allowance(5, 200)).toBe(5);
    expect(allowance('10%', 200)).toBe(20);
    expect(allowance('2.5%', 201)).toBe(5);
    expect(allowance('10%', 0)).toBe(0);
  });

  it('trip a count gate only above its limit, and say by how much', () => {
    const config = gates({ maxDeactivations: '10%', maxCreates: 3 });
    expect(trippedGates(config, signals({ counts: { ...ZERO_COUNTS, deactivate: 20, create: 3 } }))).toEqual([]);
    expect(trippedGates(config, signals({ counts: { ...ZERO_COUNTS, deactivate: 21, create: 4 } }))).toEqual([
      { gate: 'maxCreates', message: '4 people would be created: more than the maxCreates limit of 3.' },
      { gate: 'maxDeactivations', message: '21 people would be deactivated: more than the maxDeactivations limit of 20 (10% of 200 active people).' },
    ]);
  });

  it('trip on a column empty on every line, and on headers that drifted from the profile’s last import', () => {
    const config = gates({});
    expect(trippedGates(config, signals({ emptyColumns: ['Department'] }))[0].message).toBe('The mapped column "Department" is empty on every line: is the export broken?');
    expect(trippedGates(config, signals({ previousHeaders: ['id', 'email', 'dept'], headers: ['id', 'email', 'team'] }))[0].message).toBe(
      'The columns differ from the last successful import of this profile: added "team"; removed "dept".',
    );
    expect(trippedGates(config, signals({ previousHeaders: ['email', 'id'] }))[0].message).toContain('another order');
    expect(trippedGates(config, signals({ previousHeaders: ['id', 'email'] }))).toEqual([]);
    expect(trippedGates(gates({ emptyColumns: false, schemaDrift: false }), signals({ emptyColumns: ['x'], previousHeaders: ['y'] }))).toEqual([]);
  });
});
