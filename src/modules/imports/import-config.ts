import type { CustomFieldDefinition } from '../directory/custom-field-types.js';
import type { Encoding } from '../files/to-utf8.js';
import { CUSTOM_PREFIX, fieldForHeader, isMappableField, normaliseHeader, SAME_SLOT } from '../directory/user-fields.js';

export const KEY_FIELDS = ['externalId', 'email'] as const;
export type KeyField = (typeof KEY_FIELDS)[number];
export const MODES = ['delta', 'full'] as const;
export const MISSING = ['deactivate', 'delete', 'ignore'] as const;
export const SCOPES = ['all', 'imported'] as const;
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** A gate's limit: a number of people, or a percentage of the workspace's active people ("10%"). */
export type GateLimit = number | `${number}%`;

export const COUNT_GATES = ['maxCreates', 'maxUpdates', 'maxDeactivations', 'maxDeletions'] as const;
export type CountGate = (typeof COUNT_GATES)[number];

/** When an import waits for a person's approval instead of applying. */
export interface ApprovalConfig extends Record<CountGate, GateLimit | null> {
  /** A mapped column empty on every row: a broken export. */
  emptyColumns: boolean;
  /** Headers that differ from the last successful import of the same profile. */
  schemaDrift: boolean;
  /** The approver must be another API key than the one that created the import. */
  fourEyes: boolean;
}

/** An import's config, normalised: every option has its value. */
export interface ImportConfig {
  /** CSV column → field. Null: map the file's headers by their common names. */
  mapping: Record<string, string> | null;
  key: KeyField;
  /** delta: only the people in the file change; full: the file is the whole truth. */
  mode: (typeof MODES)[number];
  /** In a full import, what happens to people absent from the file. */
  missing: (typeof MISSING)[number];
  /** Which people a full import may deactivate or delete: all, or only those an import created. */
  scope: (typeof SCOPES)[number];
  /** Create people the file has and the directory does not; when false they are reported. */
  createMissing: boolean;
  approval: ApprovalConfig;
  /** Who gets a report when the import completes, fails or waits for approval. */
  notify: { email: string[] };
  /** Invitations by e-mail: to the people the import creates, and to people in the file still pending. */
  invite: { newUsers: boolean; pendingUsers: boolean };
  /** A one-time code for each created person without an e-mail, handed out once as a CSV. */
  recoveryCodes: boolean;
  parsing: {
    /** Null: detected from the file. */
    delimiter: string | null;
    /** The file's encoding; files are stored converted to UTF-8. */
    encoding: Encoding;
    header: boolean;
    /** The column names of a file without a header row. */
    columns: string[] | null;
  };
}

/** One CSV column and the field it fills (for a custom field, its definition when staging began). */
export interface MappedColumn {
  index: number;
  column: string;
  field: string;
  custom?: Pick<CustomFieldDefinition, 'type' | 'values'>;
}

export interface ResolvedMapping {
  columns: MappedColumn[];
  /** Mapping entries that name a column the file does not have. */
  missing: string[];
}

export type ConfigInput = Partial<
  Omit<ImportConfig, 'parsing' | 'approval' | 'notify' | 'invite'> & {
    parsing: Partial<ImportConfig['parsing']>;
    approval: Partial<ImportConfig['approval']>;
    notify: Partial<ImportConfig['notify']>;
    invite: Partial<ImportConfig['invite']>;
  }
>;

export function normaliseConfig(input: ConfigInput = {}): ImportConfig {
  return {
    mapping: input.mapping ?? null,
    key: input.key ?? 'externalId',
    mode: input.mode ?? 'delta',
    missing: input.missing ?? 'deactivate',
    scope: input.scope ?? 'all',
    createMissing: input.createMissing ?? true,
    approval: {
      maxCreates: input.approval?.maxCreates ?? null,
      maxUpdates: input.approval?.maxUpdates ?? null,
      maxDeactivations: input.approval?.maxDeactivations ?? null,
      maxDeletions: input.approval?.maxDeletions ?? null,
      emptyColumns: input.approval?.emptyColumns ?? true,
      schemaDrift: input.approval?.schemaDrift ?? true,
      fourEyes: input.approval?.fourEyes ?? false,
    },
    notify: { email: input.notify?.email ?? [] },
    invite: { newUsers: input.invite?.newUsers ?? false, pendingUsers: input.invite?.pendingUsers ?? false },
    recoveryCodes: input.recoveryCodes ?? false,
    parsing: {
      delimiter: input.parsing?.delimiter ?? null,
      encoding: input.parsing?.encoding ?? 'utf-8',
      header: input.parsing?.header ?? true,
      columns: input.parsing?.columns ?? null,
    },
  };
}

/** Problems with a config that need no file to see; empty when it is usable. */
export function configProblems(config: ImportConfig): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (config.mapping) {
    const seen = new Map<string, string>();
    for (const [column, target] of Object.entries(config.mapping)) {
      if (!isMappableField(target)) {
        problems.push({ field: `mapping.${column}`, message: `"${target}" is not a field: use a standard field or custom.<key>` });
      } else if (seen.has(target)) {
        problems.push({ field: `mapping.${column}`, message: `"${target}" is already mapped from column "${seen.get(target)}"` });
      } else {
        seen.set(target, column);
      }
    }
    if (!Object.values(config.mapping).includes(config.key)) {
      problems.push({ field: 'mapping', message: `no column is mapped to the key field "${config.key}"` });
    }
    const targets = new Set(Object.values(config.mapping));
    for (const fields of SAME_SLOT) {
      if (fields.filter((field) => targets.has(field)).length > 1) {
        problems.push({ field: 'mapping', message: `map only one of ${fields.map((f) => `"${f}"`).join(' and ')}: they set the same field` });
      }
    }
    if (targets.has('phoneCountryCode') && !targets.has('phone')) {
      problems.push({ field: 'mapping', message: 'phoneCountryCode is only used with a column mapped to "phone"' });
    }
  }
  if (!config.parsing.header && !config.parsing.columns?.length) {
    problems.push({ field: 'parsing.columns', message: 'a file without a header row needs the column names in parsing.columns' });
  }
  return problems;
}

/** Custom fields a mapping names that the workspace has not defined. */
export function undefinedCustomFields(config: ImportConfig, defined: readonly CustomFieldDefinition[]): string[] {
  const keys = new Set(defined.map((field) => field.key));
  return Object.values(config.mapping ?? {})
    .filter((target) => target.startsWith(CUSTOM_PREFIX) && !keys.has(target.slice(CUSTOM_PREFIX.length)));
}

/**
 * Matches the config's mapping (or the common header names, and the keys and labels of custom
 * fields) against the file's columns. Custom columns carry their definition.
 */
export function resolveMapping(config: ImportConfig, headers: string[], customFields: readonly CustomFieldDefinition[] = []): ResolvedMapping {
  const resolved = resolveColumns(config, headers, customFields);
  const definitions = new Map(customFields.map((field) => [field.key, field]));
  for (const column of resolved.columns) {
    const definition = column.field.startsWith(CUSTOM_PREFIX) ? definitions.get(column.field.slice(CUSTOM_PREFIX.length)) : undefined;
    if (definition) column.custom = { type: definition.type, values: definition.values };
  }
  return resolved;
}

function resolveColumns(config: ImportConfig, headers: string[], customFields: readonly CustomFieldDefinition[]): ResolvedMapping {
  if (config.mapping) {
    const byName = new Map<string, number>();
    headers.forEach((header, index) => {
      if (!byName.has(header)) byName.set(header, index);
      const loose = normaliseHeader(header);
      if (loose && !byName.has(loose)) byName.set(loose, index);
    });
    const columns: MappedColumn[] = [];
    const missing: string[] = [];
    for (const [column, field] of Object.entries(config.mapping)) {
      const index = byName.get(column) ?? byName.get(normaliseHeader(column));
      if (index === undefined) missing.push(column);
      else columns.push({ index, column: headers[index], field });
    }
    return { columns: columns.sort((a, b) => a.index - b.index), missing };
  }
  const used = new Set<string>();
  const columns: MappedColumn[] = [];
  const customByName = new Map<string, string>();
  for (const field of customFields) {
    for (const name of [field.key, field.label]) customByName.set(normaliseHeader(name), `${CUSTOM_PREFIX}${field.key}`);
  }
  headers.forEach((header, index) => {
    const field = fieldForHeader(header) ?? customByName.get(normaliseHeader(header));
    if (field && !used.has(field)) {
      used.add(field);
      SAME_SLOT.filter((fields) => fields.includes(field as never)).flat().forEach((sibling) => used.add(sibling));
      columns.push({ index, column: header, field });
    }
  });
  return { columns, missing: [] };
}
