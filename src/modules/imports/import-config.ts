import { fieldForHeader, isMappableField, normaliseHeader } from '../directory/user-fields.js';

export type KeyField = 'externalId' | 'email';
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** An import's config, normalised: every option has its value. */
export interface ImportConfig {
  /** CSV column → field. Null: map the file's headers by their common names. */
  mapping: Record<string, string> | null;
  key: KeyField;
  mode: 'delta';
  parsing: {
    /** Null: detected from the file. */
    delimiter: string | null;
    encoding: 'utf-8';
    header: boolean;
    /** The column names of a file without a header row. */
    columns: string[] | null;
  };
}

/** One CSV column and the field it fills. */
export interface MappedColumn {
  index: number;
  column: string;
  field: string;
}

export interface ResolvedMapping {
  columns: MappedColumn[];
  /** Mapping entries that name a column the file does not have. */
  missing: string[];
}

export function normaliseConfig(input: Partial<{
  mapping: Record<string, string>;
  key: KeyField;
  mode: 'delta';
  parsing: Partial<ImportConfig['parsing']>;
}> = {}): ImportConfig {
  return {
    mapping: input.mapping ?? null,
    key: input.key ?? 'externalId',
    mode: input.mode ?? 'delta',
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
  }
  if (!config.parsing.header && !config.parsing.columns?.length) {
    problems.push({ field: 'parsing.columns', message: 'a file without a header row needs the column names in parsing.columns' });
  }
  return problems;
}

/** Matches the config's mapping (or the common header names) against the file's columns. */
export function resolveMapping(config: ImportConfig, headers: string[]): ResolvedMapping {
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
  headers.forEach((header, index) => {
    const field = fieldForHeader(header);
    if (field && !used.has(field)) {
      used.add(field);
      columns.push({ index, column: header, field });
    }
  });
  return { columns, missing: [] };
}
