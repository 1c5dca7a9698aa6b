import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENV } from '../config/config.module.js';
import type { Env } from '../config/env.js';
import { ASYNC_COMMIT, Database, type Tx } from '../database/database.js';
import { pgErrorCode } from '../database/pg-error-code.js';
import { ApplierRepository, type ApplyPass } from '../applying/applier.repository.js';
import { approvedCurrentPlan, type Approval } from '../approval/approval-gates.js';
import { ApprovalRepository } from '../approval/approval.repository.js';
import { ImportDriver } from '../imports/import-driver.js';
import { ImportEventsRepository, SYSTEM_ACTOR } from '../imports/import-events.repository.js';
import type { ImportRecord, ImportRef } from '../imports/import-record.js';
import { ImportsRepository, type ClaimedImport } from '../imports/imports.repository.js';
import { Metrics } from '../metrics/metrics.js';
import { PlannerRepository } from '../planning/planner.repository.js';
import { FatalImportError, ImportInterrupted, WorkerStopping } from '../staging/pipeline-errors.js';
import { Stager } from '../staging/stager.service.js';

/** The job attempt running a phase, and how it learns it should stop (worker shutting down). */
export interface Attempt {
  /** Unique per job attempt: the owner every batch is fenced on. */
  id: string;
  stopping: () => boolean;
}

/**
 * The phases of an import, each resumable from its checkpoint: stage the file, plan the changes,
 * apply them. Jobs call this; it calls the driver for every state change.
 */
@Injectable()
export class ImportPipeline {
  private readonly logger = new Logger('pipeline');

  constructor(
    @Inject(ENV) private readonly env: Env,
    private readonly db: Database,
    private readonly driver: ImportDriver,
    private readonly imports: ImportsRepository,
    private readonly stager: Stager,
    private readonly planner: PlannerRepository,
    private readonly applier: ApplierRepository,
    private readonly approvals: ApprovalRepository,
    private readonly events: ImportEventsRepository,
    private readonly metrics: Metrics,
  ) {}

  /** PREVIEW_PENDING → CREATING_PREVIEW → PREVIEW_READY: stage and plan, nothing written to the directory. */
  async preview(ref: ImportRef, attempt: Attempt): Promise<void> {
    const { result } = await this.driver.send(ref, { type: 'PREVIEW_STARTED' });
    if (result.state !== 'CREATING_PREVIEW') return;
    await this.imports.takeOver(ref, attempt.id);
    await this.guard(ref, async () => {
      await this.timed(ref, 'staged', () => this.stager.stage(ref, ['CREATING_PREVIEW'], attempt.id, attempt.stopping));
      await this.timed(ref, 'settled', () => this.planner.settle());
      const current = (await this.imports.find(ref))!;
      const approval = await this.timed(ref, 'planned', async () => {
        let judged: Approval | undefined;
        await this.planner.plan(ref, { config: current.config, mapping: current.resolvedMapping! }, {
          fence: async (tx) => {
            if (attempt.stopping()) throw new WorkerStopping();
            await this.imports.claim(tx, ref, ['CREATING_PREVIEW'], attempt.id);
          },
          planned: async (tx) => { judged = await this.approvals.evaluate(tx, (await this.imports.find(ref, tx))!); },
        });
        return judged!;
      });
      await this.driver.send(ref, { type: 'PREVIEW_FINISHED' }, async (tx) => {
        await this.fence(tx, ref, 'CREATING_PREVIEW', attempt.id);
        if (approval.required) await this.events.append(tx, ref, { type: 'approval-required', actor: SYSTEM_ACTOR, details: { reasons: approval.reasons } });
      });
    });
  }

  /** IMPORT_PENDING → IMPORTING → COMPLETED: stage and plan if not done (or stale), then apply. */
  async apply(ref: ImportRef, attempt: Attempt): Promise<void> {
    const { result } = await this.driver.send(ref, { type: 'IMPORT_STARTED' });
    if (result.state !== 'IMPORTING') return;
    await this.imports.takeOver(ref, attempt.id);
    await this.guard(ref, async () => {
      await this.timed(ref, 'staged', () => this.stager.stage(ref, ['IMPORTING'], attempt.id, attempt.stopping));
      const approval = await this.timed(ref, 'plan bound', () => this.bindPlan(ref, attempt));
      if (approval.required && !approvedCurrentPlan((await this.imports.find(ref))!)) {
        // Over a gate, and no one approved this plan: it waits for a person in PREVIEW_READY.
        await this.driver.send(ref, { type: 'HOLD_FOR_APPROVAL' }, async (tx) => {
          await this.fence(tx, ref, 'IMPORTING', attempt.id);
          await this.events.append(tx, ref, { type: 'approval-required', actor: SYSTEM_ACTOR, details: { reasons: approval.reasons } });
        });
        return;
      }
      await this.timed(ref, 'applied', () => this.applyAll(ref, attempt));
      await this.driver.send(ref, { type: 'IMPORT_FINISHED' }, async (tx) => {
        await this.fence(tx, ref, 'IMPORTING', attempt.id);
        await this.applier.finish(tx, ref);
      });
    });
  }

  /** Gives an import up with a reason (a job that could not finish however often it was tried). */
  async fail(ref: ImportRef, reason: string): Promise<void> {
    await this.driver.send(ref, { type: 'FAIL', reason });
  }

  /**
   * The plan applied is the one previewed, unless the directory changed since (another import of
   * the workspace applied in between, also while this one was FAILED): then it is made again first.
   * Applies of a workspace run one at a time, so nothing changes the directory between this check
   * and the batches that follow.
   */
  private async bindPlan(ref: ImportRef, attempt: Attempt): Promise<Approval> {
    const before = (await this.imports.find(ref))!;
    // Between the plan's steps too, a worker asked to stop stops (the next attempt plans again).
    const fence = async (tx: Tx): Promise<void> => {
      if (attempt.stopping()) throw new WorkerStopping();
      await this.imports.claim(tx, ref, ['IMPORTING'], attempt.id);
    };
    if (!before.plannedAt || before.plannedVersion !== (await this.db.transaction((tx) => this.applier.directoryVersion(tx, ref.workspaceId)))) {
      await this.planner.settle();
      // A retry that resumes mid-apply plans again too: what is left is compared with the
      // directory as it is now, and applying goes on after the last applied line.
      await this.planner.plan(ref, { config: before.config, mapping: before.resolvedMapping!, appliedSeq: before.appliedLine }, {
        fence,
        planned: async (tx, counts) => {
          if (!before.plannedAt) return;
          this.logger.log({ ...ref }, 'the directory changed since the plan: planning again');
          await this.events.append(tx, ref, { type: 'plan-recomputed', actor: SYSTEM_ACTOR, details: { reason: 'another import changed the directory since the plan was made', counts } });
        },
      });
    }
    return this.db.transaction(async (tx) => {
      await fence(tx);
      const planned = (await this.imports.find(ref, tx))!;
      // Every plan is judged by the gates, also one made before the import was requested.
      const approval = planned.approval?.plannedAt === planned.plannedAt ? planned.approval : await this.approvals.evaluate(tx, planned);
      // No gate tripped: this plan is auto-approved (a person's decision on an earlier plan is history).
      if (!approval.required && planned.decision?.plannedAt !== planned.plannedAt) {
        await this.approvals.decide(tx, ref, { kind: 'auto-approved', by: null, keyId: null, at: new Date().toISOString(), comment: null, plannedAt: planned.plannedAt });
        await this.events.append(tx, ref, { type: 'auto-approved', actor: SYSTEM_ACTOR, details: { counts: planned.counts } });
      }
      if (!planned.applyStartedAt && !(approval.required && !approvedCurrentPlan(planned))) await this.applier.markStarted(tx, ref);
      return approval;
    });
  }

  /** People first, then manager links (every person exists by then), then groups; each pass resumable. */
  private async applyAll(ref: ImportRef, attempt: Attempt): Promise<void> {
    const current = (await this.imports.find(ref))!;
    const mapped = new Set(current.resolvedMapping!.map((m) => m.field));
    const passes: [ApplyPass, keyof ClaimedImport][] = [['people', 'appliedLine'], ['managers', 'linkedSeq'], ['groups', 'groupedSeq']];
    for (const [pass, checkpoint] of passes) {
      let position = current[checkpoint] as number;
      if (pass === 'managers') {
        // Without a manager column, or a link left to make, the pass would walk the plan for nothing.
        if (!mapped.has('managerExternalId') || !(await this.db.transaction((tx) => this.applier.linksAfter(tx, ref, position)))) continue;
        // More than a batch of new people, in a workspace the plan may have analysed empty: the
        // links find each person by id only on statistics that know them.
        if (current.counts.create >= this.env.batchSize) await this.db.maintain('ANALYZE users');
      }
      for (;;) {
        const batch = await this.db.transaction(async (tx) => {
          await tx.query(ASYNC_COMMIT);
          const claimed = await this.imports.claim(tx, ref, ['IMPORTING'], attempt.id);
          if (claimed[checkpoint] !== position) throw new ImportInterrupted('another worker moved the checkpoint');
          return this.applier.applyNext(tx, ref, pass, current.resolvedMapping!, position, this.env.batchSize);
        });
        if (!batch) break;
        position = batch.lastSeq;
        if (pass === 'people') this.metrics.rowsApplied(batch.done);
        if (attempt.stopping()) throw new WorkerStopping();
      }
    }
  }

  /** A worker's closing event counts only from the attempt that owns the import. */
  private async fence(tx: Tx, ref: ImportRef, state: ImportRecord['state'], attempt: string): Promise<void> {
    const [row] = await tx.query<{ attempt: string | null }>('SELECT attempt FROM imports WHERE workspace_id = $1 AND id = $2', [ref.workspaceId, ref.importId]);
    if (row?.attempt !== attempt) throw new ImportInterrupted(`attempt ${row?.attempt} took the import over from ${attempt} (${state})`);
  }

  /** Runs a phase and logs how long it took, with what it returns (counts), as a milestone. */
  private async timed<T>(ref: ImportRef, milestone: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await work();
    const seconds = Math.round(performance.now() - started) / 1000;
    this.metrics.phaseTook(milestone, seconds);
    this.logger.log({ workspaceId: ref.workspaceId, importId: ref.importId, seconds, ...(typeof result === 'object' ? { result } : {}) }, milestone);
    return result;
  }

  /** Fatal problems fail the import; an interrupted job just stops; anything else is retried. */
  private async guard(ref: ImportRef, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof FatalImportError) {
        this.logger.warn({ ...ref, reason: error.message }, 'import failed');
        await this.fail(ref, error.message);
        return;
      }
      const deterministic = sqlState(error);
      if (deterministic) {
        const reason = `The database refused the import's data (${deterministic}): ${(error as Error).message}. Retrying would fail the same way.`;
        this.logger.warn({ ...ref, reason }, 'import failed');
        await this.fail(ref, reason);
        return;
      }
      if (error instanceof ImportInterrupted) {
        this.logger.log({ ...ref, reason: error.message }, 'job stopped');
        return;
      }
      throw error;
    }
  }
}

/** SQLSTATEs that the same data will always raise again: retrying cannot help. */
const DETERMINISTIC = new Map([
  ['22021', 'a byte sequence that is not valid in the encoding'],
  ['22P05', 'a character the database cannot store'],
  ['23505', 'a duplicate of a unique value'],
  ['22001', 'a value too long for its column'],
]);

function sqlState(error: unknown): string | undefined {
  const code = pgErrorCode(error);
  return code && DETERMINISTIC.has(code) ? `${code}, ${DETERMINISTIC.get(code)}` : undefined;
}
