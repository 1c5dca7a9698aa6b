import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'pg-boss';
import type { ScheduleJobData } from '../../jobs/queues.js';
import { DomainError } from '../http/domain-errors.js';
import { SourceImports } from '../sources/source-imports.service.js';
import { SchedulesRepository } from './schedules.repository.js';

/**
 * Runs a schedule's slot: pulls the source's file; the same bytes as the last file imported from
 * it are recorded as "unchanged" and skipped; otherwise an import is created and started at once
 * (preview, then apply — held for approval when a gate trips). Every run is recorded, and one job
 * runs at most one pull that reaches an import, even when it is handed out again.
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
    const ref = { workspaceId, scheduleId, jobId: job.id };
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
          onCreated: (tx, importId, file) => this.schedules.finishRun(ref, { outcome: 'imported', importId, fileName: file.name }, tx),
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
      // A reason of the run's own (source unreachable, too soon, a bad file) is its outcome; anything
      // else (the database gone) is thrown, and the job is tried again.
      if (!(error instanceof DomainError)) throw error;
      const outcome = error.code === 'too_soon' ? 'refused' : 'failed';
      await this.schedules.finishRun(ref, { outcome, message: error.message });
      this.logger.warn({ workspaceId, scheduleId, outcome, reason: error.message }, 'schedule run did not import');
    }
  }
}
