import type { ImportState } from '../../src/state/import.machine.js';

export interface ImportBody {
  id: string;
  state: ImportState;
  counts: Record<string, number>;
  applied: Record<string, number>;
  progress: Record<string, number | string>;
  failureReason: string | null;
  [key: string]: unknown;
}

/** One line error, as GET /v1/imports/:id/errors lists it. */
export interface ErrorItem {
  line: number;
  column: string | null;
  code: string;
  message: string;
  raw: string;
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A small HTTP client for the API, as a script would use it. */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  async upload(csv: string | Buffer, options: { config?: unknown; profileId?: string; name?: string; idempotencyKey?: string } = {}): Promise<Reply<ImportBody>> {
    const form = new FormData();
    form.append('file', new Blob([typeof csv === 'string' ? csv : new Uint8Array(csv)], { type: 'text/csv' }), options.name ?? 'people.csv');
    if (options.config !== undefined) form.append('config', typeof options.config === 'string' ? options.config : JSON.stringify(options.config));
    if (options.profileId !== undefined) form.append('profileId', options.profileId);
    const headers: Record<string, string> = { 'x-api-key': this.key };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    return this.send('POST', '/v1/imports', form, headers);
  }

  get<T = Record<string, unknown>>(path: string): Promise<Reply<T>> {
    return this.send('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body: unknown): Promise<Reply<T>> {
    return this.send('POST', path, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  put<T = Record<string, unknown>>(path: string, body: unknown): Promise<Reply<T>> {
    return this.send('PUT', path, JSON.stringify(body), { 'content-type': 'application/json' });
  }

  delete<T = Record<string, unknown>>(path: string): Promise<Reply<T>> {
    return this.send('DELETE', path);
  }

  getImport(id: string): Promise<Reply<ImportBody>> {
    return this.get<ImportBody>(`/v1/imports/${id}`);
  }

  request(id: string, state: string, comment?: string): Promise<Reply<ImportBody>> {
    return this.send('PATCH', `/v1/imports/${id}`, JSON.stringify({ state, comment }), { 'content-type': 'application/json' });
  }

  putConfig(id: string, config: unknown): Promise<Reply<ImportBody>> {
    return this.send('PUT', `/v1/imports/${id}/config`, JSON.stringify(config), { 'content-type': 'application/json' });
  }

  async text(path: string): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await fetch(this.baseUrl + path, { headers: { 'x-api-key': this.key } });
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  /** Polls the import until `done` holds (never a fixed sleep); fails with the last state seen. */
  async waitFor(id: string, done: (body: ImportBody) => boolean, timeoutMs = 60_000): Promise<ImportBody> {
    const deadline = Date.now() + timeoutMs;
    let last: ImportBody | undefined;
    while (Date.now() < deadline) {
      last = (await this.getImport(id)).body;
      if (done(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`import ${id} did not reach the expected condition in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
  }

  waitForState(id: string, state: ImportState, timeoutMs?: number): Promise<ImportBody> {
    return this.waitFor(id, (body) => body.state === state || (isTerminal(body.state) && body.state !== state && fail(body, state)), timeoutMs);
  }

  private async send<T>(method: string, path: string, body?: string | FormData, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const response = await fetch(this.baseUrl + path, { method, body, headers: { 'x-api-key': this.key, ...headers } });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }
}

function isTerminal(state: ImportState): boolean {
  return state === 'COMPLETED' || state === 'CANCELLED' || state === 'FAILED';
}

function fail(body: ImportBody, wanted: ImportState): never {
  throw new Error(`import ${body.id} ended ${body.state} instead of ${wanted}: ${body.failureReason ?? ''}`);
}
