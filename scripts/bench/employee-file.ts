import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Columns of the benchmark's HR export, as a real one names them. */
export const BENCH_COLUMNS = [
  'employee_id', 'email', 'first_name', 'last_name', 'display_name', 'title', 'department', 'store', 'region',
  'country_code', 'mobile', 'manager_id', 'group',
] as const;

const FIRST = ['Ada', 'Alan', 'Grace', 'José', 'Zoë', 'Åsa', 'Björn', 'Chloé', 'Dmitri', 'Émile', 'Fatima', 'Giulia', 'Hiroshi', 'Ingrid', 'Jürgen', 'Keiko', 'Łukasz', 'María', 'Nguyễn', 'Oğuz', 'Priya', 'Søren', 'Thảo', 'Wei'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Müller', 'Øster', 'García', 'Nørgaard', "O'Brien", 'Dubois', 'Kowalski', 'Şahin', 'Yılmaz', 'Tanaka', 'Andersson', 'Rossi', 'Schröder', 'Novák', 'Papadopoulos', 'Smith', 'Van der Berg'];
const TITLES = ['Sales Associate', 'Store Manager', 'Cashier', 'Senior "Lead" Engineer', 'Regional Director, North', 'Analyst', 'Head of\nLogistics', 'Nurse', 'Driver'];
const DEPARTMENTS = ['Sales', 'Operations', 'Engineering', 'Finance', 'People & Culture', 'Logistics', 'Customer Care'];
const REGIONS = ['North', 'South', 'East', 'West', 'Central'];
const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'ES', 'IT', 'NL', 'SE', 'PL', 'JP'];

export interface FileSpec {
  /** People 1..count (minus the absent ones), plus `added` new people after them. */
  count: number;
  /** Every row i with i % 10 === 3 gets a changed title: the 10% of a delta. */
  changed?: boolean;
  /** Rows with i % 100 === 7 are left out: the 1% absent. */
  absent?: boolean;
  added?: number;
}

/** Bumped when the generator changes, so cached files are made again. */
export const GENERATOR_VERSION = 2;

/** Writes a deterministic export: the same spec always gives the same bytes. */
export async function writeEmployeeFile(path: string, spec: FileSpec): Promise<number> {
  const out = createWriteStream(path);
  let rows = 0;
  let buffer = `${BENCH_COLUMNS.join(',')}\n`;
  const total = spec.count + (spec.added ?? 0);
  for (let i = 1; i <= total; i++) {
    if (spec.absent && i <= spec.count && i % 100 === 7) continue;
    buffer += row(i, spec.changed === true && i % 10 === 3);
    rows++;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
  return rows;
}

function row(i: number, changed: boolean): string {
  const r = mix(i);
  const first = FIRST[r % FIRST.length];
  const last = LAST[(r >>> 8) % LAST.length];
  const title = changed ? `${TITLES[(r >>> 4) % TITLES.length]} II` : TITLES[(r >>> 4) % TITLES.length];
  const manager = i > 10 ? `E${String(1 + ((r >>> 3) % (i - 1))).padStart(7, '0')}` : '';
  const fields = [
    `E${String(i).padStart(7, '0')}`,
    `${ascii(first)}.${ascii(last)}.${i}@example.com`.toLowerCase(),
    first,
    last,
    // Display names are unique in a directory, as in a real one.
    `${last}, ${first} (${i})`,
    title,
    DEPARTMENTS[(r >>> 12) % DEPARTMENTS.length],
    `Store ${(r >>> 5) % 900}`,
    REGIONS[(r >>> 9) % REGIONS.length],
    COUNTRIES[(r >>> 14) % COUNTRIES.length],
    `+49151${String(r % 100_000_000).padStart(8, '0')}`,
    manager,
    `Team ${(r >>> 11) % 250}`,
  ];
  return `${fields.map(csvField).join(',')}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function ascii(text: string): string {
  return text.normalize('NFKD').replace(/[^A-Za-z]/g, '');
}

/** A fixed integer hash of i (deterministic, well spread). */
function mix(i: number): number {
  let x = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}
