/** An error the API answered with: its HTTP status, stable code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The public API, with the key the person signed in with. */
export class Api {
  constructor(readonly key: string) {}

  async get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { 'x-api-key': this.key } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(path, init);
    const text = await response.text();
    const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!response.ok) throw new ApiError(response.status, String(json.code ?? response.status), String(json.message ?? response.statusText));
    return json as T;
  }

  /** Downloads a file the API serves (with the key), as the browser's own download. */
  async download(path: string, name: string): Promise<void> {
    const response = await fetch(path, { headers: { 'x-api-key': this.key } });
    if (!response.ok) throw new ApiError(response.status, 'download_failed', `The download failed (HTTP ${response.status}).`);
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: name });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

export interface Me {
  workspace: { id: string; name: string };
  key: { name: string; role: 'admin' | 'viewer' };
}

export interface ImportView {
  id: string;
  state: string;
  status: string;
  file: { name: string; size: number };
  config: Record<string, unknown> & { mode: string; key: string; missing: string };
  columns: string[] | null;
  mapping: { column: string; field: string }[] | null;
  progress: { phase: string; linesProcessed: number; bytesProcessed: number; totalBytes: number; percent: number };
  counts: Record<'create' | 'update' | 'unchanged' | 'deactivate' | 'delete' | 'error', number>;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  failureReason: string | null;
  approval: { required: boolean; reasons: { gate: string; message: string }[] } | null;
  decision: { kind: string; by: string | null; at: string; comment: string | null } | null;
}

export interface Sample {
  encoding: string;
  delimiter: string;
  header: boolean;
  columns: string[];
  rows: string[][];
  mapping: { column: string; field: string }[];
  problem: string | null;
}
