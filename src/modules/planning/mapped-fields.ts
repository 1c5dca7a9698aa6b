import { CUSTOM_PREFIX, standardField } from '../directory/user-fields.js';
import type { KeyField, MappedColumn } from '../imports/import-config.js';

/**
 * A field an import compares and writes, as SQL sees it. Comparisons use the columns' own types
 * (cheap); only the plan's {from, to} of a changed field is turned into jsonb.
 */
export interface FieldSql {
  /** The field's API name: what the plan's changes are keyed by. */
  name: string;
  /** The value in the directory (aliases: u the person, mgr their current manager). */
  current: string;
  /** The value the file sets (aliases: s the staged line, k its kept-value flags). */
  incoming: string;
  /**
   * The users column the apply writes from the staged line: the value for a person who exists
   * (aliases: u, s, c the plan row), and for one it creates (s, c).
   */
  write: { column: string; value: string; create: string } | null;
}

/** Written as they come: empty means empty. */
const TEXT_COLUMNS = new Set(['external_id', 'email', 'user_name', 'first_name', 'last_name', 'title', 'department', 'location', 'language', 'phone']);

/**
 * The fields an import compares: the mapped ones (columns absent from the file stay untouched),
 * and always the status, because a person in the file is active unless the file says otherwise
 * (a deactivated person who comes back is reactivated).
 */
export function mappedFields(mapping: MappedColumn[]): FieldSql[] {
  const fields: FieldSql[] = [];
  for (const { field } of mapping) {
    if (field.startsWith(CUSTOM_PREFIX)) {
      const key = literal(field.slice(CUSTOM_PREFIX.length));
      fields.push({ name: field, current: `u.custom->${key}`, incoming: `nullif(s.custom->${key}, 'null'::jsonb)`, write: null });
      continue;
    }
    const column = standardField(field)?.column;
    if (column && TEXT_COLUMNS.has(column)) {
      fields.push({ name: field, current: `u.${column}`, incoming: `s.${column}`, write: { column, value: `s.${column}`, create: `s.${column}` } });
    } else if (column === 'display_name') {
      // A display name someone else holds is not taken: the person keeps theirs (kd: the line's
      // DISPLAY_NAME_IN_USE error, joined by the apply).
      fields.push({
        name: field, current: 'u.display_name', incoming: 'CASE WHEN k.keep_display_name THEN u.display_name ELSE s.display_name END',
        write: { column, value: 'CASE WHEN kd.line IS NULL THEN s.display_name ELSE u.display_name END', create: 'CASE WHEN kd.line IS NULL THEN s.display_name END' },
      });
    } else if (field === 'track') {
      fields.push({ name: 'track', current: 'u.tracked', incoming: 'coalesce(s.tracked, u.tracked, true)', write: { column: 'tracked', value: 'coalesce(s.tracked, u.tracked, true)', create: 'coalesce(s.tracked, true)' } });
    } else if (field === 'managerExternalId') {
      // A link that cannot be made (unknown, self, cycle) leaves the current manager; links are
      // written after every person (a pass of their own).
      fields.push({ name: field, current: 'mgr.external_id', incoming: 'CASE WHEN k.keep_manager THEN mgr.external_id ELSE s.manager_key END', write: null });
    }
  }
  fields.push({ name: 'status', current: 'u.status', incoming: `coalesce(s.status, 'active')`, write: { column: 'status', value: `coalesce(s.status, 'active')`, create: `coalesce(s.status, 'active')` } });
  return fields;
}

/** The columns a deleted person's last values are recorded from (the history keeps them). */
export const SNAPSHOT_FIELDS: readonly [string, string][] = [
  ['externalId', 'external_id'], ['email', 'email'], ['userName', 'user_name'], ['firstName', 'first_name'],
  ['lastName', 'last_name'], ['displayName', 'display_name'], ['title', 'title'], ['department', 'department'],
  ['location', 'location'], ['language', 'language'], ['phone', 'phone'], ['status', 'status'], ['track', 'tracked'],
];

/** How a staged row finds its person in the directory. */
export function keyJoin(key: KeyField): string {
  return `${userKey(key, 'u')} = s.key`;
}

/** A person's key in the directory, as staged rows carry it (`alias` is a row of users). */
export function userKey(key: KeyField, alias: string): string {
  return key === 'email' ? `${alias}.email_lower` : `${alias}.external_id`;
}

export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
