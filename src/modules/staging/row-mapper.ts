import { CUSTOM_PREFIX, standardField } from '../directory/user-fields.js';
import type { KeyField, MappedColumn } from '../imports/import-config.js';
import type { CsvRecord } from './csv-record-reader.js';
import type { LineError } from './line-error.js';

/** Columns of staged_rows written per row, in COPY order. */
export const STAGED_COLUMNS = [
  'line', 'start_byte', 'end_byte', 'key', 'external_id', 'email', 'first_name', 'last_name', 'display_name',
  'title', 'department', 'location', 'phone', 'status', 'custom',
] as const;

const FIELD_SLOTS = new Map<string, number>(
  STAGED_COLUMNS.map((column, slot) => [column, slot] as const).filter(([, slot]) => slot >= 4 && slot <= 13),
);
const CUSTOM_SLOT = 14;
const MAX_VALUE_LENGTH = 2000;

/**
 * The WHATWG definition of a valid e-mail address (what browsers check), with a dot in the domain:
 * a directory's addresses are routable ones. Much faster than a general validator per row.
 */
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

const ACTIVE = new Set(['active', 'activated', 'enabled', 'true', 'yes', 'y', '1']);
const DEACTIVATED = new Set(['deactivated', 'inactive', 'disabled', 'false', 'no', 'n', '0']);

/** A row ready for COPY: values in STAGED_COLUMNS order, null for an empty or unmapped cell. */
export type StagedRow = (string | number | null)[];

export type MapResult = { row: StagedRow; errors: LineError[] } | { row: null; errors: LineError[] };

interface Slot {
  index: number;
  column: string;
  field: string;
  slot: number;
  customKey: string | null;
}

/** Turns one CSV record into a staged row, checking each mapped value. */
export class RowMapper {
  private readonly slots: Slot[];
  private readonly keySlot: Slot;

  constructor(
    mapping: MappedColumn[],
    private readonly key: KeyField,
    private readonly headerCount: number,
    private readonly delimiter: string,
  ) {
    this.slots = mapping.map(({ index, column, field }) => {
      const custom = field.startsWith(CUSTOM_PREFIX) ? field.slice(CUSTOM_PREFIX.length) : null;
      const slot = custom ? CUSTOM_SLOT : FIELD_SLOTS.get(standardField(field)!.column)!;
      return { index, column, field, slot, customKey: custom };
    });
    const keySlot = this.slots.find((slot) => slot.field === key);
    if (!keySlot) throw new Error(`no column maps to the key field ${key}`);
    this.keySlot = keySlot;
  }

  map(record: CsvRecord): MapResult {
    const { fields, line } = record;
    const error = (column: string | null, code: LineError['code'], message: string): LineError => ({
      line, column, code, message, raw: null, startByte: record.startByte, endByte: record.endByte,
    });
    if (fields.length !== this.headerCount) {
      const message =
        `Line ${line} has ${fields.length} fields but the header has ${this.headerCount} columns: ` +
        (fields.length > this.headerCount
          ? `a value containing "${printable(this.delimiter)}" must be enclosed in double quotes.`
          : 'add the missing fields (empty ones still need their delimiter).');
      return { row: null, errors: [error(null, 'WRONG_FIELD_COUNT', message)] };
    }
    const row: StagedRow = new Array(STAGED_COLUMNS.length).fill(null);
    row[0] = line;
    row[1] = record.startByte;
    row[2] = record.endByte;
    const errors: LineError[] = [];
    let custom: Record<string, string | null> | null = null;
    for (const slot of this.slots) {
      const value = fields[slot.index].trim() || null;
      if (value !== null && value.includes('\u0000')) {
        errors.push(error(slot.column, 'INVALID_CHARACTER', `Line ${line}, column "${slot.column}": the value contains a NUL character (byte 0x00), which cannot be stored. Remove it from the file.`));
        continue;
      }
      if (value !== null && value.length > MAX_VALUE_LENGTH) {
        errors.push(error(slot.column, 'VALUE_TOO_LONG', `Line ${line}, column "${slot.column}": the value is ${value.length} characters long; the limit is ${MAX_VALUE_LENGTH}. Shorten it.`));
        continue;
      }
      if (slot.customKey) {
        (custom ??= {})[slot.customKey] = value;
        continue;
      }
      if (slot.field === 'email' && value !== null && !isEmail(value)) {
        errors.push(error(slot.column, 'INVALID_EMAIL', `Line ${line}, column "${slot.column}": "${value}" is not a valid email address. Correct it or leave the cell empty.`));
        continue;
      }
      if (slot.field === 'status' && value !== null) {
        const status = normaliseStatus(value);
        if (!status) {
          errors.push(error(slot.column, 'INVALID_STATUS', `Line ${line}, column "${slot.column}": "${value}" is not a status. Use "active" or "deactivated" (or leave it empty to keep the current one).`));
          continue;
        }
        row[slot.slot] = status;
        continue;
      }
      row[slot.slot] = value;
    }
    const keyValue = row[this.keySlot.slot] as string | null;
    if (keyValue === null && !errors.some((e) => e.column === this.keySlot.column)) {
      errors.push(error(this.keySlot.column, 'MISSING_KEY', `Line ${line}, column "${this.keySlot.column}": the ${this.key} is empty, and every person needs one. Fill it in or remove the line.`));
    }
    if (errors.length) return { row: null, errors };
    row[3] = this.key === 'email' ? keyValue!.toLowerCase() : keyValue;
    row[CUSTOM_SLOT] = custom ? JSON.stringify(custom) : null;
    return { row, errors };
  }
}

function normaliseStatus(value: string): 'active' | 'deactivated' | null {
  const normal = value.trim().toLowerCase();
  if (ACTIVE.has(normal)) return 'active';
  if (DEACTIVATED.has(normal)) return 'deactivated';
  return null;
}

function printable(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : delimiter;
}
