import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromParser, ParsedBatch, ParseSetup } from './parse-protocol.js';
import { FatalImportError } from './pipeline-errors.js';

/** Batches parsed ahead of the database, at most; the parse thread waits beyond this. */
const READ_AHEAD = 2;

/** The compiled worker script (tests run the sources, but a worker thread needs the build). */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'parse-worker.js');
  const root = path.resolve(path.dirname(here), '..', '..', '..');
  return path.join(root, 'dist', path.relative(root, path.dirname(here)), 'parse-worker.js');
}

/**
 * Runs BatchParser in a worker thread. `batches()` yields parsed batches in order; chunks are
 * pulled from `source` only as the parser asks and fewer than READ_AHEAD batches wait, so memory
 * stays bounded whatever the file size.
 */
export class ParseThread {
  private readonly worker: Worker;
  private readonly ready: ParsedBatch[] = [];
  private wanting = false;
  private reading = false;
  private failure: Error | undefined;
  /** The next chunk, already being read while the parser works on the current one. */
  private prefetched: Promise<IteratorResult<Buffer>> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    setup: ParseSetup,
    private readonly source: AsyncIterator<Buffer>,
  ) {
    // A small heap: the parser holds one chunk and one batch at a time.
    this.worker = new Worker(workerScript(), { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 16 } });
    this.worker.on('message', (message: FromParser) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the parse thread exited (code ${code})`)));
  }

  async *batches(): AsyncGenerator<ParsedBatch> {
    try {
      for (;;) {
        while (!this.ready.length && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.failure) throw this.failure;
        const batch = this.ready.shift()!;
        this.feed();
        yield batch;
        if (batch.final) return;
      }
    } finally {
      await this.worker.terminate();
      await this.source.return?.();
    }
  }

  private onMessage(message: FromParser): void {
    if (message.type === 'need') {
      this.wanting = true;
      this.feed();
    } else if (message.type === 'batch') {
      const { type: _, ...batch } = message;
      this.ready.push(batch);
      this.notify();
    } else {
      this.fail(message.type === 'fatal' ? new FatalImportError(message.message) : new Error(`the parse thread failed: ${message.message}`));
    }
  }

  /** Sends the next chunk when the parser wants one and the database is not too far behind. */
  private feed(): void {
    if (!this.wanting || this.reading || this.ready.length >= READ_AHEAD) return;
    this.wanting = false;
    this.reading = true;
    const current = this.prefetched ?? this.source.next();
    this.prefetched = undefined;
    current.then(
      (next) => {
        this.reading = false;
        if (next.done) {
          this.worker.postMessage({ type: 'end' });
          return;
        }
        this.worker.postMessage({ type: 'chunk', bytes: next.value }); // copied: pg's buffers may share a pool
        this.prefetched = this.source.next();
        this.prefetched.catch((error: Error) => this.fail(error));
      },
      (error: Error) => this.fail(error),
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
