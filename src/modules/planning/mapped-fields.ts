import { CUSTOM_PREFIX, standardField } from '../directory/user-fields.js';
import type { KeyField, MappedColumn } from '../imports/import-config.js';

/** A mapped field as SQL sees it: its name in the API and its column in users / staged_rows. */
export interface FieldSql {
  name: string;
  /** Expression for the value in the directory (alias u). */
  current: string;
  /** Expression for the value in the file (alias s). */
  incoming: string;
  /** Column of users this field writes, or null for a custom field (kept in `custom`). */
  column: string | null;
}

/** The fields an import writes: only mapped ones, so columns absent from the file stay untouched. */
export function mappedFields(mapping: MappedColumn[]): FieldSql[] {
  return mapping.map(({ field }) => {
    if (field.startsWith(CUSTOM_PREFIX)) {
      const key = literal(field.slice(CUSTOM_PREFIX.length));
      return { name: field, current: `u.custom->>${key}`, incoming: `s.custom->>${key}`, column: null };
    }
    const column = standardField(field)!.column;
    // An empty status cell keeps the current status.
    const incoming = column === 'status' ? 's.status' : `s.${column}`;
    const current = `u.${column}`;
    return { name: field, current, incoming: column === 'status' ? `coalesce(${incoming}, ${current})` : incoming, column };
  });
}

/** How a staged row finds its person in the directory. */
export function keyJoin(key: KeyField): string {
  return key === 'email' ? 'lower(u.email) = s.key' : 'u.external_id = s.key';
}

export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
