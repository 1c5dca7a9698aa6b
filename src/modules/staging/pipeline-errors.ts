/** A problem with the whole import that no retry can fix: the import fails with this reason. */
export class FatalImportError extends Error {}

/**
 * The import is no longer this job's to work on: it was cancelled, or another worker has moved its
 * checkpoint. The job stops without touching anything more.
 */
export class ImportInterrupted extends Error {}

/** The worker is shutting down: the job stops at a batch boundary and is retried elsewhere. */
export class WorkerStopping extends Error {
  constructor() {
    super('the worker is shutting down; another attempt resumes from the checkpoint');
  }
}
