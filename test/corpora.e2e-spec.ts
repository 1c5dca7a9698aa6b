import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { Api, type ImportBody } from './support/api-client.js';
import { corpus } from './support/corpora.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * External CSV corpora (../shared/corpora, read in place) through the real importer: upload →
 * IMPORT_PENDING → COMPLETED or FAILED, then the directory read back through the API. What passes
 * (corpora README): a valid file imports with the expected values; a bad file is either refused
 * with a reason naming the line, or imported with line errors for exactly the bad lines; never a
 * half-changed directory, never U+FFFD in imported data.
 *
 * Every import runs in a workspace of its own (a fresh, empty directory), so "exactly these
 * people" is a check of the whole directory. All imports are started in beforeAll, a few at a time,
 * and each test awaits its own.
 */

interface ErrorItem {
  line: number;
  column: string | null;
  code: string;
  message: string;
  raw: string | null;
}

interface Person {
  externalId: string | null;
  email: string | null;
  displayName: string | null;
  custom: Record<string, unknown>;
  [field: string]: unknown;
}

/** What an upload and import came to, with the workspace's whole directory afterwards. */
interface Outcome {
  /** The upload's status: 201, or the refusal (400 naming the line for a file invalid in its encoding). */
  uploadStatus: number;
  uploadMessage: string | null;
  /** Null when the upload was refused. */
  final: ImportBody | null;
  errors: ErrorItem[];
  people: Person[];
}

interface ImportSpec {
  workspace: string;
  file: string | Buffer;
  config: Record<string, unknown>;
  /** Custom string fields to define first (POST /v1/fields). */
  fields?: string[];
}

/** The people a check expects: key → custom values (empty cells are absent). */
type People = Record<string, Record<string, string>>;

interface BadFile {
  /** The lines that must be reported (each exactly once), or the first one a refusal names. */
  errorLines: number[];
  /** For a line error: what else it must say (code, the CSV column where the problem is in one, the raw text). */
  details?: Record<number, Partial<ErrorItem>>;
  /** The people the good lines make when the file is imported with line errors. */
  people: People;
}

const FFFD = '\ufffd';
const IN_FLIGHT = 6;

const read = (...parts: string[]): Buffer => fs.readFileSync(corpus(...parts));
const readJson = <T>(...parts: string[]): T => JSON.parse(fs.readFileSync(corpus(...parts), 'utf8')) as T;

// ---------------------------------------------------------------------------------------------
// Papa Parse core parser tests. Papa's default is header: false, so each case is imported without
// a header row: columns c0…cN-1, c0 → externalId, the others → custom string fields c1…cN-1.
// ---------------------------------------------------------------------------------------------

interface PapaCase {
  description: string;
  input: string;
  config?: Record<string, unknown> | null;
  expected: { data: string[][]; errors: { row: number; code: string }[] };
}

const PAPA: PapaCase[] = readJson('papaparse', 'extracted', 'core_parser_tests.json');
const papaFile = (index: number): string => {
  const prefix = String(index).padStart(3, '0');
  const name = fs.readdirSync(corpus('papaparse', 'extracted', 'core_parser')).find((f) => f.startsWith(`${prefix}-`));
  if (!name) throw new Error(`no core_parser file for case ${prefix}`);
  return corpus('papaparse', 'extracted', 'core_parser', name);
};
const papaName = (index: number): string => `${String(index).padStart(3, '0')} ${PAPA[index].description}`;

/** Valid cases with a default config: every value must come back as Papa Parse reads it. */
const PAPA_VALUES = [
  0, 1, 2, 4, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 24, 25, 26, 27, 28, 30, 32,
  33, // two identical lines with key "a": the importer makes one person of a key that repeats with the same values
  38, 51, 53,
  54, // Papa keeps each blank line as a row of one empty field; the importer skips blank lines (README)
];

/**
 * Cases where the importer intentionally differs from Papa Parse, with the importer's own outcome
 * asserted instead.
 *   12, 17, 18: strict RFC 4180 — a quote inside an unquoted field is a line error (CSV_SYNTAX), as in
 *               csv-spectrum's location_coordinates; Papa keeps the quote as text.
 *   29, 31, 34: every person needs a key — a line whose first column is empty is MISSING_KEY, the
 *               other lines import (31's config only sets newline "\n", which the importer detects).
 */
const syntax = (column: string, raw?: string): Partial<ErrorItem> => ({ code: 'CSV_SYNTAX', column, ...(raw === undefined ? {} : { raw }) });
const noKey: Partial<ErrorItem> = { code: 'MISSING_KEY', column: 'c0' };
const PAPA_STRICTER: [number, BadFile][] = [
  [12, { errorLines: [1], details: { 1: syntax('c1') }, people: {} }],
  [17, { errorLines: [1], details: { 1: syntax('c1') }, people: {} }],
  [18, { errorLines: [1], details: { 1: syntax('c1') }, people: {} }],
  [29, { errorLines: [1], details: { 1: noKey }, people: { d: { c1: 'e', c2: 'f' } } }],
  [31, { errorLines: [2, 3, 4], details: { 2: noKey, 3: noKey, 4: noKey }, people: { a: { c1: 'b', c2: 'c' } } }],
  [34, { errorLines: [2], details: { 2: noKey }, people: { a: { c1: 'b', c4: 'c', c5: 'd' } } }],
];

/**
 * Cases Papa Parse reports errors for (its row 0 starts on line 1). The bad record is as long as
 * Papa's row 0: in 20 it ends with line 1 and line 2 is a good record; in 19, 21, 22 and 23 Papa
 * reads the quote as never closed, so row 0 swallows the rest of the input — the importer must
 * then report that text with line 1's error (its raw), not lose it silently.
 */
const PAPA_ERRORS: [number, BadFile][] = [
  [19, { errorLines: [1], details: { 1: syntax('c1', PAPA[19].input) }, people: {} }],
  [20, { errorLines: [1], details: { 1: syntax('c0', '"a,"b,c"') }, people: { d: { c1: 'e', c2: 'f' } } }],
  [21, { errorLines: [1], details: { 1: syntax('c1', PAPA[21].input) }, people: {} }],
  [22, { errorLines: [1], details: { 1: syntax('c1', PAPA[22].input) }, people: {} }],
  [23, { errorLines: [1], details: { 1: syntax('c1', PAPA[23].input) }, people: {} }],
];

/**
 * Papa's header: true de-duplicates repeated names (A, A_1, …); the importer refuses a header whose
 * mapped column name repeats, naming the columns, and writes nothing.
 */
const PAPA_DUPLICATE_HEADERS: [number, string, string][] = [
  [59, 'A', 'columns 1 and 2'],
  [61, 'c', 'columns 1 and 2'],
  // A column named "__proto__" is a column like any other (the config's mapping keeps it).
  [62, '__proto__', 'columns 1 and 2'],
];

/*
 * Papa cases left out, and why:
 *   3, 5, 52      the importer trims every value (README: "written as they are (trimmed)"); Papa keeps edge whitespace
 *   35            empty input: no data row (an empty file is covered in bad-lines.e2e-spec.ts)
 *   36, 37        only empty fields: a row with no key; the importer skips an all-blank record as a blank line
 *   39–50         config sets comments: the importer has no comment lines
 *   55–58         config sets fastMode / preview: Papa-only options
 *   60            config has a transformHeader function
 */

/** As many columns as Papa's widest row. */
const papaWidth = (index: number): number => Math.max(...PAPA[index].expected.data.map((row) => row.length));
/** Papa's rows for its error cases are its own reading of the bad text; the good lines there have 3 fields. */
const ERROR_WIDTH = 3;
const columnsOf = (width: number): string[] => Array.from({ length: width }, (_, i) => `c${i}`);

function papaSpec(index: number, width: number): ImportSpec {
  const columns = columnsOf(width);
  const delimiter = (PAPA[index].config?.delimiter as string | undefined) ?? undefined;
  return {
    workspace: `corpora-papa-${index}`,
    file: fs.readFileSync(papaFile(index)),
    config: {
      mapping: Object.fromEntries(columns.map((c, i) => [c, i === 0 ? 'externalId' : `custom.${c}`])),
      parsing: { header: false, columns, ...(delimiter ? { delimiter } : {}) },
    },
    fields: columns.slice(1),
  };
}

/** Papa's rows as people: first value the key, the others custom values; empty cells absent. */
function papaPeople(index: number): People {
  const rows = PAPA[index].expected.data.filter((row) => row.some((value) => value !== ''));
  const people: People = {};
  for (const [key, ...rest] of rows) {
    const custom = Object.fromEntries(rest.map((value, i) => [`c${i + 1}`, value]).filter(([, value]) => value !== ''));
    if (people[key]) expect(people[key]).toEqual(custom); // a repeated key must repeat its values (case 33)
    people[key] = custom;
  }
  return people;
}

// ---------------------------------------------------------------------------------------------
// csvlint.rb scenarios: csvlint's error or warning types, mapped to the importer's outcome.
// Headers col1,col2,col3 (or Foo,Bar/Bsr,Baz): the first column → externalId, the others custom.
// ---------------------------------------------------------------------------------------------

interface CsvlintScenario {
  feature: string;
  scenario: string;
  input_fixture: string | null;
  input_file?: string;
  expect_type: string[];
  expect_row: string[];
  settings: string[];
}

const CSVLINT: CsvlintScenario[] = readJson('csvlint-rb', 'extracted', 'scenarios.json');
const csvlintName = (index: number): string => `${String(index).padStart(2, '0')} ${CSVLINT[index].feature}: ${CSVLINT[index].scenario}`;
const csvlintBytes = (index: number): Buffer => {
  const s = CSVLINT[index];
  return s.input_file ? read('csvlint-rb', 'extracted', s.input_file) : read('csvlint-rb', 'fixtures', s.input_fixture!);
};
const COL = { col1: 'externalId', col2: 'custom.col2', col3: 'custom.col3' };
/** Fixtures headed "Foo","Bar","Baz" (cr-line-endings.csv) or "Foo","Bsr","Baz" (the others). */
const FOO_BAR = { Foo: 'externalId', Bar: 'custom.col2', Baz: 'custom.col3' };
const FOO_BSR = { Foo: 'externalId', Bsr: 'custom.col2', Baz: 'custom.col3' };

type CsvlintExpect =
  | { kind: 'bad'; bad: BadFile }
  | { kind: 'valid'; people: People }
  | { kind: 'refused'; line: number }
  | { kind: 'failed'; reason: RegExp };

interface CsvlintCase {
  mapping: Record<string, string>;
  encoding?: string;
  expect: CsvlintExpect;
}

const BIFF_QUX: People = { Biff: { col2: 'Baff', col3: 'Boff' }, Qux: { col2: 'Teaspoon', col3: 'Doge' } };

/** Histórico is the one column of invalid-byte-sequence.csv whose values are all different: the key. */
const BANK_MAPPING = { 'Histórico': 'externalId', Data: 'custom.data', 'Número do documento': 'custom.numero', Valor: 'custom.valor' };
const bankPeople = (): People => {
  const [header, ...rows] = parseRfc4180(read('csvlint-rb', 'fixtures', 'invalid-byte-sequence.csv').toString('latin1'));
  const at = (name: string): number => header.indexOf(name);
  return Object.fromEntries(rows.map((r) => [
    r[at('Histórico')],
    { data: r[at('Data')], numero: r[at('Número do documento')], valor: r[at('Valor')] },
  ]));
};

const CSVLINT_CASES: [number, CsvlintCase][] = [
  // ragged_rows, row 3
  [0, { mapping: COL, expect: { kind: 'bad', bad: { errorLines: [3], details: { 3: { code: 'WRONG_FIELD_COUNT', column: null } }, people: { 1: { col2: '2', col3: '3' } } } } }],
  // unclosed_quote, row 2
  [1, { mapping: COL, expect: { kind: 'bad', bad: { errorLines: [2], details: { 2: syntax('col3', '"Foo","Bar","Baz') }, people: {} } } }],
  // whitespace before a quoted field, row 2: a quote that does not start its field
  [2, { mapping: COL, expect: { kind: 'bad', bad: { errorLines: [2], details: { 2: syntax('col3') }, people: {} } } }],
  // blank_rows (3, 4, 5): the importer skips blank lines and a record of empty fields (README: a file of blank
  // lines changes nothing) — an intentional difference from csvlint, which reports them; the other lines import
  [3, { mapping: COL, expect: { kind: 'valid', people: { Foo: { col2: 'Bar', col3: 'Baz' }, Baz: { col2: 'Bar', col3: 'Foo' } } } }],
  [4, { mapping: COL, expect: { kind: 'valid', people: { Foo: { col2: 'Bar', col3: 'Baz' } } } }],
  [5, { mapping: COL, expect: { kind: 'valid', people: { Foo: { col2: 'Bar', col3: 'Baz' } } } }],
  // invalid_encoding: ISO-8859-1 bytes read as UTF-8; 0xF3 ("Histórico") is on line 1
  [6, { mapping: BANK_MAPPING, encoding: 'utf-8', expect: { kind: 'refused', line: 1 } }],
  // the same file read as ISO-8859-1: valid
  [7, { mapping: BANK_MAPPING, encoding: 'iso-8859-1', expect: { kind: 'valid', people: bankPeople() } }],
  // line_breaks "set to linefeed" on a CR file: the importer has no line-ending setting and reads bare CR
  [11, { mapping: FOO_BAR, expect: { kind: 'valid', people: BIFF_QUX } }],
  // line_breaks: CRLF then LF in one file. The importer is lenient here on purpose (LF, CRLF and a lone CR each end
  // a line, as the reader counts them): instead of csvlint's error, every value must come back exactly
  [12, { mapping: FOO_BSR, expect: { kind: 'valid', people: BIFF_QUX } }],
  [13, { mapping: FOO_BSR, expect: { kind: 'valid', people: BIFF_QUX } }],
  // warnings only: valid files
  [14, { mapping: COL, expect: { kind: 'valid', people: { abc: { col2: '2', col3: '3' } } } }],
  [15, { mapping: COL, encoding: 'iso-8859-1', expect: { kind: 'valid', people: { 1: { col2: '2', col3: '3' } } } }],
  [16, { mapping: COL, expect: { kind: 'valid', people: { abc: { col2: '2', col3: '3' } } } }],
  [17, { mapping: COL, expect: { kind: 'valid', people: { abc: { col2: '2', col3: '3' } } } }],
  [18, { mapping: COL, expect: { kind: 'valid', people: { abc: { col2: '2', col3: '3' } } } }],
  [19, { mapping: COL, expect: { kind: 'valid', people: { abc: { col2: '2', col3: '3' } } } }],
  // title_row (a warning in csvlint): the importer has no title-row detection, so the title is read as the
  // header and a mapping by the real header fails the import naming the columns it found, writing nothing
  [20, { mapping: FOO_BSR, expect: { kind: 'failed', reason: /No column maps to the key field "externalId"\. The file's columns are: "This is a title row", "", ""/ } }],
  // nonrfc_line_breaks (info) on LF, none on CRLF: both valid
  [23, { mapping: FOO_BSR, expect: { kind: 'valid', people: BIFF_QUX } }],
  [24, { mapping: FOO_BSR, expect: { kind: 'valid', people: BIFF_QUX } }],
];

/*
 * csvlint scenarios left out, and why:
 *   8        spreadsheet.xls is not in the snapshot (binaries removed)
 *   9        wrong_content_type: an HTTP Content-Type check; an upload is read by its bytes
 *   10       not_found: a URL that 404s, no input (sources-https covers file_not_found)
 *   21, 22   excel warnings: no input in the extraction
 */

// ---------------------------------------------------------------------------------------------
// A strict RFC 4180 reader, only as an oracle for the expected values of corpus files.
// ---------------------------------------------------------------------------------------------

function parseRfc4180(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  const endRow = (): void => {
    endField();
    if (row.some((v) => v !== '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (ch === '"') {
        quoted = false;
        i++;
        if (i < text.length && !',\r\n'.includes(text[i])) throw new Error(`text after a closing quote at ${i}`);
      } else (field += ch), i++;
    } else if (ch === '"' && field === '') (quoted = true), i++;
    else if (ch === '"') throw new Error(`quote inside an unquoted field at ${i}`);
    else if (ch === ',') endField(), i++;
    else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else (field += ch), i++;
  }
  if (quoted) throw new Error('unclosed quote');
  if (field !== '' || row.length) endRow();
  return rows;
}

// ---------------------------------------------------------------------------------------------

describe('external CSV corpora through the importer', () => {
  let app: TestApp;
  const outcomes = new Map<string, Promise<Outcome>>();
  const queue: (() => void)[] = [];
  let running = 0;

  /** Starts an import (at most IN_FLIGHT at once); tests await it by name. */
  function start(name: string, spec: ImportSpec): void {
    const outcome = new Promise<void>((resolve) => {
      if (running < IN_FLIGHT) {
        running++;
        resolve();
      } else queue.push(resolve);
    }).then(() => runImport(spec).finally(() => {
      const next = queue.shift();
      if (next) next();
      else running--;
    }));
    outcome.catch(() => undefined); // reported by the test that awaits it
    outcomes.set(name, outcome);
  }

  const outcomeOf = (name: string): Promise<Outcome> => outcomes.get(name)!;

  async function runImport(spec: ImportSpec): Promise<Outcome> {
    const api = new Api(app.baseUrl, await app.createKey(spec.workspace));
    for (const key of spec.fields ?? []) {
      const defined = await api.post('/v1/fields', { key, type: 'string' });
      if (defined.status !== 201) throw new Error(`defining custom.${key}: ${defined.status} ${JSON.stringify(defined.body)}`);
    }
    // These files test reading, not the approval gates: a column empty on every line is a case here.
    const config = { ...spec.config, approval: { emptyColumns: false } };
    const uploaded = await api.upload(spec.file, { config, name: `${spec.workspace}.csv` });
    let final: ImportBody | null = null;
    let errors: ErrorItem[] = [];
    if (uploaded.status === 201) {
      const requested = await api.request(uploaded.body.id, 'IMPORT_PENDING');
      if (requested.status !== 200) throw new Error(`IMPORT_PENDING: ${requested.status} ${JSON.stringify(requested.body)}`);
      final = await api.waitFor(uploaded.body.id, (b) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(b.state), 90_000);
      errors = (await api.get<{ items: ErrorItem[] }>(`/v1/imports/${uploaded.body.id}/errors?pageSize=500`)).body.items;
    }
    const people: Person[] = [];
    for (let page = 1; ; page++) {
      const { body } = await api.get<{ items: Person[]; total: number }>(`/v1/users?pageSize=500&page=${page}`);
      people.push(...body.items);
      if (people.length >= body.total || !body.items.length) break;
    }
    const message = (uploaded.body as unknown as { message?: string }).message;
    return { uploadStatus: uploaded.status, uploadMessage: uploaded.status === 201 ? null : (message ?? null), final, errors, people };
  }

  /** The whole directory: exactly these keys, each with exactly these custom values, and nothing mangled. */
  function expectDirectory(outcome: Outcome, people: People): void {
    expect(JSON.stringify(outcome.people)).not.toContain(FFFD);
    const got = Object.fromEntries(outcome.people.map((p) => [p.externalId, p.custom]));
    expect(got).toEqual(people);
  }

  function expectValid(outcome: Outcome, people: People): void {
    expect({ upload: outcome.uploadStatus, state: outcome.final?.state, reason: outcome.final?.failureReason }).toEqual({
      upload: 201, state: 'COMPLETED', reason: null,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.final!.counts).toMatchObject({ create: Object.keys(people).length, error: 0 });
    expectDirectory(outcome, people);
  }

  /**
   * Refused (400 at upload, or FAILED) with a reason naming the first bad line and nothing written;
   * or COMPLETED with a line error for each bad line, exactly, and the good lines' people.
   */
  function expectBad(outcome: Outcome, bad: BadFile): void {
    const linePattern = new RegExp(`\\bline ${bad.errorLines[0]}\\b`, 'i');
    if (outcome.uploadStatus !== 201) {
      expect(outcome.uploadStatus).toBe(400);
      expect(outcome.uploadMessage).toMatch(linePattern);
      expectDirectory(outcome, {});
    } else if (outcome.final!.state === 'FAILED') {
      expect(outcome.final!.failureReason).toMatch(linePattern);
      expectDirectory(outcome, {});
    } else {
      expect(outcome.final!.state).toBe('COMPLETED');
      expect(outcome.errors.map((e) => e.line)).toEqual(bad.errorLines);
      for (const error of outcome.errors) {
        expect(error.message).toMatch(new RegExp(`\\bline ${error.line}\\b`, 'i'));
        expect(error).toMatchObject({ line: error.line, ...bad.details?.[error.line] });
      }
      expectDirectory(outcome, bad.people);
    }
  }

  beforeAll(async () => {
    app = await startTestApp({ env: { ROSTERSYNC_PREVIEW_CONCURRENCY: '4', ROSTERSYNC_APPLY_CONCURRENCY: '4' } });

    // mafintosh first: it is the largest.
    start('maxRowBytes', {
      workspace: 'corpora-mafintosh-max-row-bytes',
      file: read('mafintosh-csv-parser', 'fixtures', 'option-maxRowBytes.csv'),
      config: { mapping: { id: 'externalId', time: 'custom.time', mag: 'custom.mag', place: 'custom.place', type: 'custom.kind' } },
      fields: ['time', 'mag', 'place', 'kind'],
    });
    for (const index of PAPA_VALUES) start(papaName(index), papaSpec(index, papaWidth(index)));
    for (const [index] of PAPA_STRICTER) start(papaName(index), papaSpec(index, papaWidth(index)));
    for (const [index] of PAPA_ERRORS) start(papaName(index), papaSpec(index, ERROR_WIDTH));
    for (const [index, column] of PAPA_DUPLICATE_HEADERS) {
      start(papaName(index), {
        workspace: `corpora-papa-${index}`,
        file: fs.readFileSync(papaFile(index)),
        config: { mapping: Object.fromEntries([[column, 'externalId']]) },
      });
    }
    for (const [index, c] of CSVLINT_CASES) {
      const fields = [...new Set(Object.values(c.mapping).filter((f) => f.startsWith('custom.')).map((f) => f.slice(7)))];
      start(csvlintName(index), {
        workspace: `corpora-csvlint-${index}`,
        file: csvlintBytes(index),
        config: { mapping: c.mapping, ...(c.encoding ? { parsing: { encoding: c.encoding } } : {}) },
        fields,
      });
    }
    const frictionless = (name: string): Buffer => read('frictionless-py', 'data', name);
    start('invalid.csv, name mapped', {
      workspace: 'corpora-fl-invalid-name', file: frictionless('invalid.csv'),
      config: { mapping: { id: 'externalId', name: 'custom.name' } }, fields: ['name'],
    });
    start('invalid.csv, id only', { workspace: 'corpora-fl-invalid-id', file: frictionless('invalid.csv'), config: { mapping: { id: 'externalId' } } });
    start('leading-zeros.csv', { workspace: 'corpora-fl-zeros', file: frictionless('leading-zeros.csv'), config: { mapping: { value: 'externalId' } } });
    for (const encoding of ['utf-8', 'auto']) {
      start(`bom.csv as ${encoding}`, {
        workspace: `corpora-fl-bom-${encoding}`, file: frictionless('bom.csv'),
        config: { mapping: { id: 'externalId', name: 'custom.name' }, parsing: { encoding } }, fields: ['name'],
      });
    }
    start('papaparse utf-8-bom-sample.csv', {
      workspace: 'corpora-papa-bom', file: read('papaparse', 'files', 'utf-8-bom-sample.csv'),
      config: { mapping: { A: 'externalId', B: 'custom.b', C: 'custom.c' } }, fields: ['b', 'c'],
    });
    for (const encoding of ['iso-8859-1', 'auto']) {
      start(`latin1.csv as ${encoding}`, {
        workspace: `corpora-fl-latin1-${encoding}`, file: frictionless('latin1.csv'),
        config: { mapping: { id: 'externalId', name: 'custom.name' }, parsing: { encoding } }, fields: ['name'],
      });
    }
  });
  afterAll(() => app?.close());

  describe('papaparse core parser tests', () => {
    it.each(PAPA_VALUES.map(papaName))('%s: imports every value as Papa Parse reads it', async (name) => {
      const index = Number(name.slice(0, 3));
      expectValid(await outcomeOf(name), papaPeople(index));
    });

    it.each(PAPA_ERRORS.map(([index, bad]) => [papaName(index), bad] as const))(
      '%s: Papa reports an error; the importer names line 1',
      async (name, bad) => {
        expectBad(await outcomeOf(name), bad);
      },
    );

    it.each(PAPA_STRICTER.map(([index, bad]) => [papaName(index), bad] as const))(
      '%s: the importer is stricter than Papa Parse and reports the line',
      async (name, bad) => {
        const outcome = await outcomeOf(name);
        expectBad(outcome, bad);
        // Line errors, not a refusal: the rest of the file still imports.
        expect(outcome.final?.state).toBe('COMPLETED');
      },
    );

    async function expectDuplicateHeaderRefused(name: string, column: string, where: string): Promise<void> {
      const outcome = await outcomeOf(name);
      expect({ upload: outcome.uploadStatus, message: outcome.uploadMessage, state: outcome.final?.state }).toEqual({
        upload: 201, message: null, state: 'FAILED',
      });
      expect(outcome.final?.failureReason).toContain(`The column "${column}" appears twice in the header (${where})`);
      expectDirectory(outcome, {});
    }

    it.each(PAPA_DUPLICATE_HEADERS.map(([index, column, where]) => [papaName(index), column, where] as const))(
      '%s: a repeated header name is refused, naming it, and nothing is written',
      expectDuplicateHeaderRefused,
    );
  });

  describe('csvlint.rb scenarios', () => {
    it.each(CSVLINT_CASES.map(([index, c]) => [csvlintName(index), c] as const))('%s', async (name, c) => {
      const outcome = await outcomeOf(name);
      switch (c.expect.kind) {
        case 'valid':
          expectValid(outcome, c.expect.people);
          break;
        case 'bad':
          expectBad(outcome, c.expect.bad);
          break;
        case 'refused':
          expectBad(outcome, { errorLines: [c.expect.line], people: {} });
          expect(outcome.final?.state).not.toBe('COMPLETED');
          break;
        case 'failed':
          expect(outcome.final?.state).toBe('FAILED');
          expect(outcome.final?.failureReason).toMatch(c.expect.reason);
          expectDirectory(outcome, {});
          break;
      }
    });
  });

  describe('frictionless-py', () => {
    it('invalid.csv with the repeated "name" column mapped: refused naming both columns, nothing written', async () => {
      const outcome = await outcomeOf('invalid.csv, name mapped');
      expect(outcome.final?.state).toBe('FAILED');
      expect(outcome.final?.failureReason).toContain('The column "name" appears twice in the header (columns 2 and 4)');
      expectDirectory(outcome, {});
    });

    it('invalid.csv by its id only: a line error for each ragged row, the blank row skipped, nothing written', async () => {
      // frictionless's 8 errors: blank label (col 3) and duplicate label (col 4) are in unmapped columns, which the
      // importer ignores; missing cells on rows 2 and 3 and the extra cell on row 5 are wrong field counts; the
      // blank row 4 is skipped as a blank line (README).
      const outcome = await outcomeOf('invalid.csv, id only');
      expect(outcome.final?.state).toBe('COMPLETED');
      expect(outcome.errors.map((e) => [e.line, e.code])).toEqual([[2, 'WRONG_FIELD_COUNT'], [3, 'WRONG_FIELD_COUNT'], [5, 'WRONG_FIELD_COUNT']]);
      expect(outcome.errors[0].message).toContain('Line 2 has 2 fields but the header has 4 columns');
      expect(outcome.errors[2].message).toContain('Line 5 has 5 fields but the header has 4 columns');
      expect(outcome.final!.counts).toMatchObject({ create: 0, update: 0, error: 3 });
      expectDirectory(outcome, {});
    });

    it('leading-zeros.csv: keys such as 002 stay strings', async () => {
      const outcome = await outcomeOf('leading-zeros.csv');
      expectValid(outcome, { '01': {}, '002': {}, '00003': {} });
    });

    it.each(['utf-8', 'auto'])('bom.csv as %s: the BOM is not part of the first header, the UTF-8 text is kept', async (encoding) => {
      expectValid(await outcomeOf(`bom.csv as ${encoding}`), { 1: { name: 'english' }, 2: { name: '中国人' } });
    });

    it('papaparse utf-8-bom-sample.csv: the BOM is not part of the first header', async () => {
      expectValid(await outcomeOf('papaparse utf-8-bom-sample.csv'), { X: { b: 'Y', c: 'Z' } });
    });

    it.each(['iso-8859-1', 'auto'])('latin1.csv as %s: byte 0xA9 is ©', async (encoding) => {
      expectValid(await outcomeOf(`latin1.csv as ${encoding}`), { 1: { name: 'english' }, 2: { name: '©' } });
    });
  });

  describe('mafintosh csv-parser', () => {
    it('option-maxRowBytes.csv (716 KB): the quoting error on line 4578 is named, and only that line is left out', async () => {
      const text = read('mafintosh-csv-parser', 'fixtures', 'option-maxRowBytes.csv').toString('utf8');
      const lines = text.split('\n');
      const header = parseRfc4180(lines[0])[0];
      const at = (name: string): number => header.indexOf(name);
      const people: People = {};
      lines.forEach((line, i) => {
        if (i === 0 || i + 1 === 4578 || line === '') return;
        const [row] = parseRfc4180(line);
        people[row[at('id')]] = { time: row[at('time')], mag: row[at('mag')], place: row[at('place')], kind: row[at('type')] };
      });
      expect(Object.keys(people)).toHaveLength(4592);

      const outcome = await outcomeOf('maxRowBytes');
      expectBad(outcome, { errorLines: [4578], details: { 4578: syntax('time', lines[4577]) }, people });
      if (outcome.final?.state === 'COMPLETED') expect(outcome.final.counts).toMatchObject({ create: 4592, error: 1 });
    });
  });
});
