import { typeCustomValue, yesNo } from '../directory/custom-field-types.js';
import { CUSTOM_PREFIX, standardField } from '../directory/user-fields.js';
import type { KeyField, MappedColumn } from '../imports/import-config.js';
import type { CsvRecord } from './csv-record-reader.js';
import type { LineError } from './line-error.js';
import { toE164 } from './phone-number.js';

/** Columns of staged_rows written per row, in COPY order. */
export const STAGED_COLUMNS = [
  'line', 'start_byte', 'end_byte', 'key', 'external_id', 'email', 'user_name', 'first_name', 'last_name',
  'display_name', 'title', 'department', 'location', 'language', 'phone', 'status', 'tracked', 'remove',
  'manager_key', 'group_name', 'custom',
] as const;

const SLOT = new Map<string, number>(STAGED_COLUMNS.map((column, slot) => [column, slot] as const));
const CUSTOM_SLOT = SLOT.get('custom')!;
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
const DEACTIVATED = new Set(['deactivated', 'inactive', 'disabled', 'false', 'no', 'n', '0', 'archived', 'terminated', 'suspended']);

/** A row ready for COPY: values in STAGED_COLUMNS order, null for an empty or unmapped cell. */
export type StagedRow = (string | number | null)[];

export type MapResult = { row: StagedRow; errors: LineError[] } | { row: null; errors: LineError[] };

interface Slot extends MappedColumn {
  /** Index in STAGED_COLUMNS; -1 for phoneCountryCode, read with the phone. */
  slot: number;
  customKey: string | null;
  /** The custom key as a JSON string, written before each of its values. */
  customJsonKey: string;
}

const STRING_FIELD = { type: 'string', values: null } as const;

function lineError(record: CsvRecord, column: string | null, code: LineError['code'], message: string): LineError {
  return { line: record.line, column, code, message, raw: null, startByte: record.startByte, endByte: record.endByte };
}

/**
 * Turns one CSV record into a staged row, checking and normalising each mapped value: emails,
 * statuses and their spellings, yes/no columns, phones to E.164, custom fields to their type.
 * A line with a bad value is not staged; its error names the line, the column and what to do.
 */
export class RowMapper {
  private readonly slots: Slot[];
  private readonly keySlot: Slot;
  private readonly countrySlot: Slot | undefined;

  constructor(
    mapping: MappedColumn[],
    private readonly key: KeyField,
    private readonly headerCount: number,
    private readonly delimiter: string,
  ) {
    this.slots = mapping.map((column) => {
      const custom = column.field.startsWith(CUSTOM_PREFIX) ? column.field.slice(CUSTOM_PREFIX.length) : null;
      const staged = custom ? 'custom' : standardField(column.field)!.staged;
      return { ...column, slot: staged ? SLOT.get(staged)! : -1, customKey: custom, customJsonKey: custom === null ? '' : JSON.stringify(custom) };
    });
    const keySlot = this.slots.find((slot) => slot.field === key);
    if (!keySlot) throw new Error(`no column maps to the key field ${key}`);
    this.keySlot = keySlot;
    this.countrySlot = this.slots.find((slot) => slot.field === 'phoneCountryCode');
  }

  map(record: CsvRecord): MapResult {
    const { fields, line } = record;
    const errors: LineError[] = [];
    if (fields.length !== this.headerCount) {
      const message =
        `Line ${line} has ${fields.length} fields but the header has ${this.headerCount} columns: ` +
        (fields.length > this.headerCount
          ? `a value containing "${printable(this.delimiter)}" must be enclosed in double quotes.`
          : 'add the missing fields (empty ones still need their delimiter).');
      errors.push(lineError(record, null, 'WRONG_FIELD_COUNT', message));
      return { row: null, errors };
    }
    const row: StagedRow = new Array(STAGED_COLUMNS.length).fill(null);
    row[0] = line;
    row[1] = record.startByte;
    row[2] = record.endByte;
    // Custom values as JSON members, written as they are read (no object per line to stringify).
    let custom = '';
    // Closures per cell would cost more than the checks: a problem is built only when there is one.
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      const cell = fields[slot.index];
      const value = cell.length === 0 ? null : cell.trim() || null;
      if (value === null) {
        // An empty custom cell clears the field; an empty standard cell stays null.
        if (slot.customKey) custom += `${custom ? ',' : ''}${slot.customJsonKey}:null`;
        continue;
      }
      if (value.includes('\u0000')) {
        errors.push(this.problem(record, slot, 'INVALID_CHARACTER', 'the value contains a NUL character (byte 0x00), which cannot be stored. Remove it from the file.'));
      } else if (value.length > MAX_VALUE_LENGTH) {
        errors.push(this.problem(record, slot, 'VALUE_TOO_LONG', `the value is ${value.length} characters long; the limit is ${MAX_VALUE_LENGTH}. Shorten it.`));
      } else if (slot.customKey) {
        const typed = typeCustomValue(slot.custom ?? STRING_FIELD, value);
        if ('problem' in typed) errors.push(this.problem(record, slot, 'INVALID_VALUE', `"${value}" ${typed.problem} for the custom field "${slot.customKey}".`));
        else custom += `${custom ? ',' : ''}${slot.customJsonKey}:${JSON.stringify(typed.value)}`;
      } else if (slot.slot >= 0) {
        row[slot.slot] = this.normalise(slot, value, fields, record, errors);
      }
    }
    const keyValue = row[this.keySlot.slot] as string | null;
    const keyReadable = !errors.some((e) => e.column === this.keySlot.column);
    if (keyValue === null && keyReadable) {
      errors.push(lineError(record, this.keySlot.column, 'MISSING_KEY', `Line ${line}, column "${this.keySlot.column}": the ${this.key} is empty, and every person needs one. Fill it in or remove the line.`));
    }
    const key = keyValue === null ? null : this.key === 'email' ? keyValue.toLowerCase() : keyValue;
    if (errors.length) {
      if (keyReadable && key !== null) errors.forEach((e) => (e.key = key));
      return { row: null, errors };
    }
    row[3] = key;
    row[CUSTOM_SLOT] = custom ? `{${custom}}` : null;
    return { row, errors };
  }

  private problem(record: CsvRecord, slot: Slot, code: LineError['code'], message: string): LineError {
    return lineError(record, slot.column, code, `Line ${record.line}, column "${slot.column}": ${message}`);
  }

  /** A non-empty cell as staged for its field, or null after reporting why it cannot be. */
  private normalise(slot: Slot, value: string, fields: string[], record: CsvRecord, errors: LineError[]): string | null {
    switch (slot.field) {
      case 'email':
        if (isEmail(value)) return value;
        errors.push(this.problem(record, slot, 'INVALID_EMAIL', `"${value}" is not a valid email address. Correct it or leave the cell empty.`));
        return null;
      case 'status': {
        const status = normaliseStatus(value);
        if (!status) errors.push(this.problem(record, slot, 'INVALID_STATUS', `"${value}" is not a status. Use "active" or "deactivated" (or leave it empty: a person in the file is active).`));
        return status;
      }
      case 'archived': {
        const archived = yesNo(value) ?? (value.toLowerCase() === 'archived' ? true : value.toLowerCase() === 'active' ? false : null);
        if (archived === null) errors.push(this.problem(record, slot, 'INVALID_VALUE', `"${value}" is not yes or no. Use y to archive (deactivate) the person, n or empty to keep them active.`));
        return archived === null ? null : archived ? 'deactivated' : 'active';
      }
      case 'track':
      case 'delete': {
        const flag = yesNo(value);
        if (flag === null) errors.push(this.problem(record, slot, 'INVALID_VALUE', `"${value}" is not yes or no. Use y or n (or leave it empty).`));
        if (slot.field === 'delete') return flag ? 't' : null;
        return flag === null ? null : flag ? 't' : 'f';
      }
      case 'phone': {
        const country = this.countrySlot ? fields[this.countrySlot.index].trim() || null : null;
        const phone = toE164(value, country);
        if (!phone) {
          errors.push(this.problem(record, slot, 'INVALID_PHONE', country
            ? `"${value}" with the country code "${country}" is not a possible phone number. Correct the number or its country code.`
            : `"${value}" is not a possible phone number. Write it with its country code (+44 7700 900123), or map a phoneCountryCode column.`));
        }
        return phone;
      }
      default:
        return value;
    }
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
