import { isIP } from 'node:net';
import path from 'node:path';

export type Role = 'api' | 'worker' | 'all';

/** Everything the process reads from its environment, parsed and checked once at boot. */
export interface Env {
  /** A PostgreSQL URL; unset means the embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  role: Role;
  bootstrapKey: string | undefined;
  logLevel: string;
  /** Rows per staged or applied batch; each batch is one transaction with its checkpoint. */
  batchSize: number;
  previewConcurrency: number;
  applyConcurrency: number;
  /** A job whose worker stops sending heartbeats for this long is handed to another worker. */
  jobHeartbeatSeconds: number;
  /** How often pg-boss looks for jobs whose worker died. */
  jobMonitorSeconds: number;
  /** How often an idle worker polls for jobs. */
  jobPollingSeconds: number;
  maxUploadBytes: number;
  /** A CSV record (a line, or several when a quoted field spans lines) may be this long at most. */
  maxLineBytes: number;
  /** A file's header (or configured columns) may name this many columns at most. */
  maxColumns: number;
  /** Requests a minute an API key may send on average; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Requests a key may send at once after a quiet spell. */
  rateLimitBurst: number;
  /** A session idle inside a transaction this long is ended by PostgreSQL (a frozen worker's locks). */
  idleTransactionSeconds: number;
  /** Encrypts source credentials (AES-256-GCM); unset on the embedded database: generated into dataDir. */
  secretKey: Buffer | undefined;
  /** Host names, addresses and CIDR ranges a source may reach although they are private or loopback. */
  allowHosts: string[];
  /** A source's file may be this large at most. */
  maxDownloadBytes: number;
  /** A fetch (connect, list, download) may take this long at most. */
  downloadTimeoutSeconds: number;
  /** The first retry of a failed webhook delivery waits this long; each next one about twice as long. */
  webhookRetrySeconds: number;
  /** Where e-mail goes out (smtp://user:pass@host:587 or smtps://…); unset: no e-mail is sent. */
  smtpUrl: string | undefined;
  smtpFrom: string;
  /** The address people reach the API at, for links in e-mails. */
  publicUrl: string;
  /** How often the scheduler looks for due schedules (pg-boss's cron pass). */
  cronIntervalSeconds: number;
  /** When set, GET /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** ROLE=worker only: serve /health/* and /metrics on this port (workers serve no HTTP otherwise). */
  metricsPort: number | undefined;
  /** A finished import's stored file and staged lines are removed this many days after it finished; 0 keeps them. */
  retentionDays: number;
}

export class EnvError extends Error {}

/** The parse thread's heap is 48 MB: a record is held there whole, as text and as fields. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;

type Source = Record<string, string | undefined>;

export function loadEnv(source: Source = process.env): Env {
  const role = (source.ROLE ?? 'all').toLowerCase();
  if (role !== 'api' && role !== 'worker' && role !== 'all') {
    throw new EnvError(`ROLE must be api, worker or all (got "${source.ROLE}")`);
  }
  const bootstrapKey = nonEmpty(source.ROSTERSYNC_BOOTSTRAP_KEY);
  if (bootstrapKey !== undefined && bootstrapKey.length < 16) {
    throw new EnvError('ROSTERSYNC_BOOTSTRAP_KEY must be at least 16 characters long');
  }
  return {
    databaseUrl: nonEmpty(source.DATABASE_URL),
    dataDir: path.resolve(nonEmpty(source.ROSTERSYNC_DATA_DIR) ?? '.data'),
    host: nonEmpty(source.HOST) ?? '0.0.0.0',
    port: integer(source, 'PORT', 3000, 0, 65535),
    role,
    bootstrapKey,
    logLevel: nonEmpty(source.LOG_LEVEL) ?? 'info',
    batchSize: integer(source, 'ROSTERSYNC_BATCH_SIZE', 5000, 1, 100_000),
    previewConcurrency: integer(source, 'ROSTERSYNC_PREVIEW_CONCURRENCY', 2, 1, 64),
    applyConcurrency: integer(source, 'ROSTERSYNC_APPLY_CONCURRENCY', 2, 1, 64),
    jobHeartbeatSeconds: integer(source, 'ROSTERSYNC_JOB_HEARTBEAT_SECONDS', 10, 10, 3600),
    jobMonitorSeconds: integer(source, 'ROSTERSYNC_JOB_MONITOR_SECONDS', 5, 1, 3600),
    jobPollingSeconds: number(source, 'ROSTERSYNC_JOB_POLLING_SECONDS', 1, 0.5, 60),
    maxUploadBytes: integer(source, 'ROSTERSYNC_MAX_UPLOAD_BYTES', 1024 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    maxLineBytes: integer(source, 'ROSTERSYNC_MAX_LINE_BYTES', 1024 * 1024, 16, MAX_LINE_BYTES),
    maxColumns: integer(source, 'ROSTERSYNC_MAX_COLUMNS', 500, 1, 100_000),
    rateLimitPerMinute: integer(source, 'ROSTERSYNC_RATE_LIMIT_PER_MINUTE', 600, 0, 600_000),
    rateLimitBurst: integer(source, 'ROSTERSYNC_RATE_LIMIT_BURST', 120, 1, 600_000),
    idleTransactionSeconds: integer(source, 'ROSTERSYNC_IDLE_TRANSACTION_SECONDS', 60, 5, 86_400),
    secretKey: secretKey(source),
    allowHosts: allowHosts(source),
    maxDownloadBytes: integer(source, 'ROSTERSYNC_MAX_DOWNLOAD_BYTES', 1024 * 1024 * 1024, 1, Number.MAX_SAFE_INTEGER),
    downloadTimeoutSeconds: integer(source, 'ROSTERSYNC_DOWNLOAD_TIMEOUT_SECONDS', 600, 1, 4 * 60 * 60),
    webhookRetrySeconds: integer(source, 'ROSTERSYNC_WEBHOOK_RETRY_SECONDS', 5, 1, 3600),
    smtpUrl: nonEmpty(source.SMTP_URL),
    smtpFrom: nonEmpty(source.SMTP_FROM) ?? 'rostersync <no-reply@localhost>',
    publicUrl: (nonEmpty(source.ROSTERSYNC_PUBLIC_URL) ?? `http://localhost:${integer(source, 'PORT', 3000, 0, 65535)}`).replace(/\/$/, ''),
    cronIntervalSeconds: integer(source, 'ROSTERSYNC_CRON_INTERVAL_SECONDS', 30, 1, 60),
    metricsToken: metricsToken(source),
    metricsPort: nonEmpty(source.METRICS_PORT) === undefined ? undefined : integer(source, 'METRICS_PORT', 0, 0, 65535),
    retentionDays: integer(source, 'ROSTERSYNC_RETENTION_DAYS', 30, 0, 36_500),
  };
}

/** Host names, addresses and CIDR ranges; a malformed range is refused at boot. */
function allowHosts(source: Source): string[] {
  const entries = (nonEmpty(source.ROSTERSYNC_ALLOW_HOSTS) ?? '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  for (const entry of entries) {
    const [network, prefix, extra] = entry.split('/');
    if (prefix === undefined) continue;
    const family = isIP(network);
    const bits = Number(prefix);
    if (!family || extra !== undefined || !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
      throw new EnvError(`ROSTERSYNC_ALLOW_HOSTS: "${entry}" is not a CIDR range (like 10.0.0.0/8 or fd00::/8)`);
    }
  }
  return entries;
}

function metricsToken(source: Source): string | undefined {
  const token = nonEmpty(source.METRICS_TOKEN);
  if (token !== undefined && token.length < 16) throw new EnvError('METRICS_TOKEN must be at least 16 characters long');
  return token;
}

function secretKey(source: Source): Buffer | undefined {
  const raw = nonEmpty(source.ROSTERSYNC_SECRET_KEY);
  if (raw === undefined) return undefined;
  try {
    return parseSecretKey(raw);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function number(source: Source, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(source[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new EnvError(`${name} must be a number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function integer(source: Source, name: string, fallback: number, min: number, max: number): number {
  const value = number(source, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new EnvError(`${name} must be a whole number (got "${source[name]}")`);
  return value;
}

/** 32 bytes given as 64 hex digits or as base64; anything else is refused. */
export function parseSecretKey(text: string, where = 'ROSTERSYNC_SECRET_KEY'): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes as 64 hex digits or base64 (e.g. \`openssl rand -hex 32\`)`);
  return key;
}
