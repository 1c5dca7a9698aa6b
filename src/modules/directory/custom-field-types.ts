/** A workspace's custom field: `custom.<key>` in a mapping, typed. */
export interface CustomFieldDefinition {
  key: string;
  label: string;
  type: CustomFieldType;
  /** The allowed values of an enum, as they are stored. */
  values: string[] | null;
}

export const CUSTOM_FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'enum'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export type CustomValue = string | number | boolean;

/** A cell read as a field's type: the typed value, or why it is not one (a sentence to finish). */
export type Typed = { value: CustomValue } | { problem: string };

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const YES = new Set(['y', 'yes', 'true', '1', 'on']);
const NO = new Set(['n', 'no', 'false', '0', 'off']);

/** y/yes/true/1 and n/no/false/0, any case; null for anything else. */
export function yesNo(text: string): boolean | null {
  const normal = text.trim().toLowerCase();
  if (YES.has(normal)) return true;
  if (NO.has(normal)) return false;
  return null;
}

/** Checks and types one non-empty cell for a custom field. */
export function typeCustomValue(field: Pick<CustomFieldDefinition, 'type' | 'values'>, text: string): Typed {
  switch (field.type) {
    case 'string':
      return { value: text };
    case 'number': {
      const value = Number(text);
      return NUMBER.test(text) && Number.isFinite(value) ? { value } : { problem: 'is not a number (write it like 1234.5, with a dot for decimals)' };
    }
    case 'boolean': {
      const value = yesNo(text);
      return value === null ? { problem: 'is not yes or no (use y/n, yes/no, true/false or 1/0)' } : { value };
    }
    case 'date': {
      const match = ISO_DATE.exec(text);
      if (match) {
        const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
        const date = new Date(Date.UTC(year, month - 1, day));
        if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return { value: text };
      }
      return { problem: 'is not a date (write it as YYYY-MM-DD, e.g. 2026-03-31)' };
    }
    case 'enum': {
      const allowed = field.values ?? [];
      const found = allowed.find((value) => value.toLowerCase() === text.toLowerCase());
      return found === undefined ? { problem: `is not one of the allowed values (${allowed.map((v) => `"${v}"`).join(', ')})` } : { value: found };
    }
  }
}
