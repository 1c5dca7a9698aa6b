/** The SQLSTATE of a PostgreSQL error, whether pg's own or wrapped by TypeORM (driverError). */
export function pgErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}
