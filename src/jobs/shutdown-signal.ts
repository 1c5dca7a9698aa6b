import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/** Raised when the process is asked to stop, so running jobs stop at their next batch boundary. */
@Injectable()
export class ShutdownSignal implements BeforeApplicationShutdown {
  private stopping = false;

  get requested(): boolean {
    return this.stopping;
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }
}
