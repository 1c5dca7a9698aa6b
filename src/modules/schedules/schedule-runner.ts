import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'pg-boss';
import { SCHEDULE_RETRY_LIMIT, type ScheduleJobData } from '../../jobs/queues.js';
import { DomainError } from '../http/domain-errors.js';
import { SourceImports } from '../sources/source-imports.service.js';
import { SchedulesRepository, type RunRef } from './schedules.repository.js';

/** Another attempt of the same job recorded the run first: this one's import is rolled back. */
class RunAlreadyFinished extends Error {}

/**
 * Runs a schedule's slot: pulls the source's file; the same bytes as the last file imported from
 * it are recorded as "unchanged" and skipped; otherwise an import is created and started at once
 * (its plan is made, then applied). Every run is recorded, and one job makes at most one import,
 * even when it is handed out again while an earlier attempt still runs.
 */
@Injectable()
export class ScheduleRunner {
  private readonly logger = new Logger('schedules');

  constructor(
    private readonly schedules: SchedulesRepository,
    private readonly sourceImports: SourceImports,
  ) {}

  async run(job: Job<ScheduleJobData>): Promise<void> {
    const { workspaceId, scheduleId } = job.data;
    const ref: RunRef = { workspaceId, scheduleId, jobId: job.id };
    const schedule = await this.schedules.find(workspaceId, scheduleId);
    if (!schedule) return; // deleted since the slot fired
    const run = await this.schedules.startRun(workspaceId, scheduleId, job.id);
    if (!run || run.outcome !== 'running') return;
    if (!schedule.enabled) {
      await this.schedules.finishRun(ref, { outcome: 'skipped', message: 'the schedule is disabled' });
      return;
    }
    try {
      const outcome = await this.sourceImports.pull({
        workspaceId,
        sourceId: schedule.sourceId,
        profileId: schedule.profileId,
        requestedBy: `schedule: ${schedule.name}`,
        requestedByKey: null,
        schedule: {
          id: schedule.id,
          onCreated: async (tx, importId, file) => {
            if (!(await this.schedules.finishRun(ref, { outcome: 'imported', importId, fileName: file.name }, tx))) throw new RunAlreadyFinished();
          },
        },
      });
      if (outcome.outcome === 'unchanged') {
        await this.schedules.finishRun(ref, {
          outcome: 'unchanged',
          fileName: outcome.file.name,
          message: `unchanged, skipped: ${outcome.file.name} has the sha256 of the last file imported from this source`,
        });
      } else if (outcome.afterImport) {
        await this.schedules.noteRun(ref, outcome.afterImport);
      }
      this.logger.log({ workspaceId, scheduleId, outcome: outcome.outcome }, 'schedule ran');
    } catch (error) {
      if (error instanceof RunAlreadyFinished) return;
      // A reason of the run's own (source unreachable, too soon, a bad file) is its outcome. Anything
      // else (the database gone) is thrown and the job tried again, until its last attempt.
      const own = error instanceof DomainError;
      if (!own && job.retryCount < SCHEDULE_RETRY_LIMIT) throw error;
      const outcome = own && error.code === 'too_soon' ? 'refused' : 'failed';
      await this.schedules.finishRun(ref, { outcome, message: (error as Error).message });
      this.logger.warn({ workspaceId, scheduleId, outcome, reason: (error as Error).message }, 'schedule run did not import');
    }
  }
}
