import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, type ImportBody } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Event {
  type: string;
  fromState: string | null;
  toState: string | null;
  actor: string;
  comment: string | null;
  details: Record<string, unknown> | null;
}

type Held = ImportBody & { status: string; approval: { required: boolean; reasons: { gate: string; message: string }[] } | null; decision: Record<string, unknown> | null };

const people = (ids: number[], extra = '') => `externalId,email,displayName\n${ids.map((i) => `P${i},p${i}@example.com,Person ${i}${extra}`).join('\n')}\n`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const FULL = { mode: 'full', approval: { maxDeactivations: '10%' } };

/** Gates, approvals and the history: nothing big changes unseen, and every decision is recorded. */
describe('approvals', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  /** A workspace with 20 people in it, imported by an admin key "alice". */
  async function seeded(workspace: string): Promise<Api> {
    const api = new Api(app.baseUrl, await app.createKey(workspace, 'alice'));
    const first = await api.upload(people(range(1, 20)), { config: FULL });
    await api.request(first.body.id, 'IMPORT_PENDING');
    await api.waitForState(first.body.id, 'COMPLETED');
    return api;
  }
  const events = async (api: Api, id: string) => (await api.get<{ items: Event[] }>(`/v1/imports/${id}/events`)).body.items;
  const held = (api: Api, id: string) => api.waitFor(id, (body) => body.state === 'PREVIEW_READY') as Promise<Held>;
  const active = async (api: Api) => (await api.get<{ total: number }>('/v1/users?status=active')).body.total;

  it('an import under every gate is auto-approved, and its history says who did what', async () => {
    const api = await seeded('approvals-auto');
    const [latest] = (await api.get<{ items: (ImportBody & { status: string; decision: { kind: string } })[] }>('/v1/imports')).body.items;
    expect(latest).toMatchObject({ status: 'Completed', decision: { kind: 'auto-approved' }, approval: { required: false, reasons: [] } });
    expect((await events(api, latest.id)).map((e) => [e.type, e.actor])).toEqual([
      ['created', 'alice'],
      ['IMPORT_PENDING', 'alice'],
      ['IMPORTING', 'rostersync'],
      ['auto-approved', 'rostersync'],
      ['COMPLETED', 'rostersync'],
    ]);
  });

  it('over a gate the import waits for approval; a viewer cannot approve; an admin approves with a comment', async () => {
    const api = await seeded('approvals-approve');
    const viewer = new Api(app.baseUrl, await app.createKey('approvals-approve', 'victor', 'viewer'));
    const bob = new Api(app.baseUrl, await app.createKey('approvals-approve', 'bob'));
    const upload = await api.upload(people(range(1, 15)), { config: FULL });
    await api.request(upload.body.id, 'PREVIEW_PENDING');
    const waiting = await held(api, upload.body.id);
    expect(waiting).toMatchObject({ status: 'Waiting for Approval', counts: { deactivate: 5 }, approval: { required: true } });
    expect(waiting.approval!.reasons).toEqual([
      { gate: 'maxDeactivations', message: '5 people would be deactivated: more than the maxDeactivations limit of 2 (10% of 20 active people).' },
    ]);
    expect((await api.get<ImportBody[]>('/v1/imports?state=PREVIEW_READY')).body).toMatchObject({ items: [{ status: 'Waiting for Approval' }] });

    expect((await viewer.request(upload.body.id, 'IMPORT_PENDING')).status).toBe(403);
    const approved = await bob.request(upload.body.id, 'IMPORT_PENDING', 'HR confirmed the leavers');
    expect(approved.status).toBe(200);
    const done = (await api.waitForState(upload.body.id, 'COMPLETED')) as Held;
    expect(done.decision).toMatchObject({ kind: 'approved', by: 'bob', comment: 'HR confirmed the leavers' });
    expect(await active(api)).toBe(15);
    const history = await events(api, upload.body.id);
    expect(history.find((e) => e.type === 'approved')).toMatchObject({ actor: 'bob', comment: 'HR confirmed the leavers' });
    expect(history.filter((e) => e.type === 'auto-approved')).toEqual([]);
  });

  it('holds an import whose client skipped the preview, and a rejection cancels it with nothing applied', async () => {
    const api = await seeded('approvals-reject');
    const upload = await api.upload(people(range(1, 10)), { config: FULL });
    await api.request(upload.body.id, 'IMPORT_PENDING');
    const waiting = await held(api, upload.body.id);
    expect(waiting).toMatchObject({ status: 'Waiting for Approval', approval: { required: true } });
    expect(await active(api)).toBe(20);

    const rejected = await api.request(upload.body.id, 'CANCELLED', 'wrong file: the export was cut');
    expect(rejected.body).toMatchObject({ state: 'CANCELLED', status: 'Rejected by alice', decision: { kind: 'rejected', by: 'alice', comment: 'wrong file: the export was cut' } });
    expect(await active(api)).toBe(20);
    const history = await events(api, upload.body.id);
    expect(history.map((e) => e.type)).toEqual(['created', 'IMPORT_PENDING', 'IMPORTING', 'approval-required', 'PREVIEW_READY', 'rejected', 'CANCELLED']);
  });

  it('four eyes: the key that created the import cannot approve it', async () => {
    const api = await seeded('approvals-four-eyes');
    const carol = new Api(app.baseUrl, await app.createKey('approvals-four-eyes', 'carol'));
    const upload = await api.upload(people(range(1, 10)), { config: { ...FULL, approval: { ...FULL.approval, fourEyes: true } } });
    await api.request(upload.body.id, 'PREVIEW_PENDING');
    await held(api, upload.body.id);
    const self = await api.request(upload.body.id, 'IMPORT_PENDING');
    expect(self.status).toBe(403);
    expect((self.body as unknown as { message: string }).message).toContain('four eyes');
    // The creator cannot switch four eyes off; a key that changed the config counts as an author too.
    const config = { ...FULL, approval: { ...FULL.approval, fourEyes: true } };
    expect((await api.putConfig(upload.body.id, { ...config, approval: { maxDeactivations: '10%' } })).status).toBe(400);
    const dave = new Api(app.baseUrl, await app.createKey('approvals-four-eyes', 'dave'));
    expect((await dave.putConfig(upload.body.id, config)).status).toBe(200);
    await dave.request(upload.body.id, 'PREVIEW_PENDING');
    await held(api, upload.body.id);
    expect((await dave.request(upload.body.id, 'IMPORT_PENDING')).status).toBe(403);
    expect((await carol.request(upload.body.id, 'IMPORT_PENDING')).status).toBe(200);
    expect(await api.waitForState(upload.body.id, 'COMPLETED')).toMatchObject({ decision: { kind: 'approved', by: 'carol' } });
  });

  it('an import held after it started applying keeps its config: a new one would skip applied lines', async () => {
    const api = await seeded('approvals-started');
    const upload = await api.upload(people(range(1, 15)), { config: FULL });
    await api.request(upload.body.id, 'PREVIEW_PENDING');
    await held(api, upload.body.id);
    // As after a partial apply, a failure, another import, and a retry whose new plan tripped a gate.
    await app.db.query('UPDATE imports SET apply_started_at = now(), applied_line = 3 WHERE id = $1', [upload.body.id]);
    const refused = await api.putConfig(upload.body.id, { mode: 'delta' });
    expect(refused.status).toBe(409);
    expect((refused.body as unknown as { message: string }).message).toContain('started applying');
  });

  it('a mapped column empty on every line, and headers that drifted from the profile, hold the import', async () => {
    const api = await seeded('approvals-signals');
    const empty = await api.upload('externalId,email,department\nP1,p1@example.com,\nP2,p2@example.com,\n');
    await api.request(empty.body.id, 'IMPORT_PENDING');
    expect((await held(api, empty.body.id)).approval!.reasons).toEqual([
      { gate: 'emptyColumns', message: 'The mapped column "department" is empty on every line: is the export broken?' },
    ]);

    const profile = (await api.post<{ id: string }>('/v1/profiles', { name: 'nightly', config: {} })).body.id;
    const first = await api.upload('externalId,email,title\nP1,p1@example.com,Boss\n', { profileId: profile });
    await api.request(first.body.id, 'IMPORT_PENDING');
    await api.waitForState(first.body.id, 'COMPLETED');
    const drifted = await api.upload('externalId,email,job title\nP1,p1@example.com,Boss\n', { profileId: profile });
    await api.request(drifted.body.id, 'IMPORT_PENDING');
    expect((await held(api, drifted.body.id)).approval!.reasons).toEqual([
      { gate: 'schemaDrift', message: 'The columns differ from the last successful import of this profile: added "job title"; removed "title".' },
    ]);
  });

  it('an approval holds for the plan approved: when the directory changed meanwhile, the plan is made again and the gates judge it again', async () => {
    const api = await seeded('approvals-binding');
    const upload = await api.upload(people(range(1, 15)), { config: FULL });
    await api.request(upload.body.id, 'PREVIEW_PENDING');
    await held(api, upload.body.id);

    // Another import changes the directory after the plan was made.
    const other = await api.upload(people([21]));
    await api.request(other.body.id, 'IMPORT_PENDING');
    await api.waitForState(other.body.id, 'COMPLETED');

    await api.request(upload.body.id, 'IMPORT_PENDING', 'approved before the other import');
    const again = await api.waitFor(upload.body.id, (body) => body.state === 'PREVIEW_READY' && 'IMPORT_PENDING' in (body.stateTimes as object)) as Held;
    expect(again).toMatchObject({ status: 'Waiting for Approval', counts: { deactivate: 6 } });
    expect(await active(api)).toBe(21);
    const types = (await events(api, upload.body.id)).map((e) => e.type);
    expect(types.slice(types.indexOf('approved'))).toEqual(['approved', 'IMPORT_PENDING', 'IMPORTING', 'plan-recomputed', 'approval-required', 'PREVIEW_READY']);

    await api.request(upload.body.id, 'IMPORT_PENDING', 'still right');
    await api.waitForState(upload.body.id, 'COMPLETED');
    expect(await active(api)).toBe(15);
  });
});
