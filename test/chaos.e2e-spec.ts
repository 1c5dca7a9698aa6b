import { describe, expect, it } from '@jest/globals';
import { Api } from './support/api-client.js';
import { directoryDigest, progressOf, seededRandom, waitForProgress, type Progress } from './support/chaos-tools.js';
import { employeesCsv } from './support/employee-csv.js';
import { useApiWithWorkerProcesses } from './support/worker-rig.js';

const ROWS = Number(process.env.CHAOS_ROWS ?? 100_000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 10);
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
const BATCH = 500;
const WORKER_ENV = { ROSTERSYNC_BATCH_SIZE: String(BATCH) };

describe(`chaos: ${KILLS} kill -9 of the worker during a ${ROWS}-row import (seed ${SEED})`, () => {
  const rig = useApiWithWorkerProcesses(WORKER_ENV);

  async function importInto(api: Api, csv: string): Promise<string> {
    const { body } = await api.upload(csv);
    return body.id;
  }

  it('ends with the directory of an uninterrupted run: nothing lost, nothing doubled', async () => {
    const seed = employeesCsv(ROWS / 10, 'old');
    const csv = employeesCsv(ROWS, 'new');
    const random = seededRandom(SEED);

    // The reference: the same two files, no interruption.
    await rig.startWorker();
    const reference = new Api(rig.app.baseUrl, await rig.app.createKey('chaos-reference'));
    for (const file of [seed, csv]) {
      const id = await importInto(reference, file);
      await reference.request(id, 'IMPORT_PENDING');
      await reference.waitForState(id, 'COMPLETED', 300_000);
    }
    const expected = await directoryDigest(rig.app.db, 'chaos-reference');

    const api = new Api(rig.app.baseUrl, await rig.app.createKey('chaos'));
    const seeded = await importInto(api, seed);
    await api.request(seeded, 'IMPORT_PENDING');
    await api.waitForState(seeded, 'COMPLETED');
    const id = await importInto(api, csv);
    await api.request(id, 'PREVIEW_PENDING');

    const report: string[] = [];
    let requestedImport = false;
    const requestImport = async (): Promise<void> => {
      await api.waitForState(id, 'PREVIEW_READY', 300_000);
      await api.request(id, 'IMPORT_PENDING');
      requestedImport = true;
    };
    let kills = 0;
    while (kills < KILLS) {
      // About half the kills during the preview (staging, planning), the rest while applying.
      if (!requestedImport && kills >= KILLS / 2) await requestImport();
      const before = await progressOf(rig.app.db, id);
      const moved = await waitForProgress(rig.app.db, id, (row) => position(row) > position(before) || settled(row), 120_000);
      if (moved.state === 'COMPLETED') break;
      if (moved.state === 'PREVIEW_READY') {
        await requestImport();
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, random() * 300));
      await rig.worker.kill('SIGKILL');
      kills++;
      const atKill = await progressOf(rig.app.db, id);
      await rig.startWorker();
      if (atKill.state === 'COMPLETED') break;
      const resumed = await waitForProgress(rig.app.db, id, (row) => row.attempt !== atKill.attempt || settled(row), 120_000);
      expect(position(resumed)).toBeGreaterThanOrEqual(position(atKill));
      report.push(
        `kill ${kills}: ${phase(atKill)}, committed checkpoint at line ${checkpoint(atKill)}; the next attempt resumed from it ` +
          `(re-processing at most the one uncommitted batch of ${BATCH} rows)`,
      );
    }
    if (!requestedImport) await requestImport();
    const done = await api.waitForState(id, 'COMPLETED', 300_000);
    const actual = await directoryDigest(rig.app.db, 'chaos');
    report.push(`kills survived: ${kills}; digest equal: ${actual.digest === expected.digest}; people ${actual.people}, duplicates ${actual.people - actual.distinct}, lost ${ROWS - actual.people}`);
    process.stdout.write(`\nchaos (seed ${SEED}):\n  ${report.join('\n  ')}\n`);

    expect(kills).toBeGreaterThanOrEqual(Math.min(KILLS, 3));
    expect(done.counts).toMatchObject({ create: ROWS - ROWS / 10, update: ROWS / 10, error: 0 });
    expect(done.applied).toEqual({ create: ROWS - ROWS / 10, update: ROWS / 10, deactivate: 0, delete: 0 });
    expect(actual).toEqual(expected);
    expect(actual.people).toBe(ROWS);
  }, 1_800_000);
});

function settled(row: Progress): boolean {
  return row.state === 'COMPLETED' || row.state === 'PREVIEW_READY';
}

function phase(row: Progress): string {
  return row.state === 'IMPORTING' && row.staged_at ? 'applying' : row.staged_at ? 'planning' : 'staging';
}

function checkpoint(row: Progress): number {
  return phase(row) === 'applying' ? row.applied_line : row.staged_lines;
}

/** How far the import is, across phases: staged lines, then applied lines on top. */
function position(row: Progress): number {
  return row.staged_lines + row.applied_line + (row.state === 'IMPORTING' ? 1 : 0);
}
