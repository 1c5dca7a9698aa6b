import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api, type ImportBody } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

interface Person {
  externalId: string;
  email: string | null;
  displayName: string | null;
  title: string | null;
  phone: string | null;
  status: string;
  tracked: boolean;
  managerExternalId: string | null;
  manager: { externalId: string } | null;
  directReports: { externalId: string }[];
  groups: string[];
  custom: Record<string, unknown>;
}

interface ErrorItem {
  line: number;
  column: string | null;
  code: string;
  message: string;
}

interface PreviewItem {
  line: number | null;
  key: string;
  op: string;
  changes?: Record<string, { from: unknown; to: unknown }>;
  fields?: Record<string, unknown>;
}

/** What an HR file means for the directory, rule by rule, each in its own workspace. */
describe('directory semantics', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  async function workspace(name: string): Promise<Api> {
    return new Api(app.baseUrl, await app.createKey(name));
  }

  /** Upload → preview → import; returns the completed import. */
  async function importFile(api: Api, csv: string, config: Record<string, unknown> = {}): Promise<ImportBody> {
    const created = await api.upload(csv, { config });
    expect(created.status).toBe(201);
    await api.request(created.body.id, 'PREVIEW_PENDING');
    await api.waitForState(created.body.id, 'PREVIEW_READY');
    await api.request(created.body.id, 'IMPORT_PENDING');
    return api.waitForState(created.body.id, 'COMPLETED');
  }

  async function preview(api: Api, csv: string, config: Record<string, unknown> = {}): Promise<ImportBody> {
    const created = await api.upload(csv, { config });
    await api.request(created.body.id, 'PREVIEW_PENDING');
    return api.waitForState(created.body.id, 'PREVIEW_READY');
  }

  async function person(api: Api, key: string): Promise<Person> {
    const reply = await api.get<Person>(`/v1/users/${encodeURIComponent(key)}`);
    expect(reply.status).toBe(200);
    return reply.body;
  }

  async function errors(api: Api, id: string): Promise<ErrorItem[]> {
    return (await api.get<{ items: ErrorItem[] }>(`/v1/imports/${id}/errors?pageSize=100`)).body.items;
  }

  const FULL = { mode: 'full', missing: 'deactivate', scope: 'imported' };

  it('a full import deactivates the absent it created, leaves people created by hand alone, and changes nothing when repeated', async () => {
    const api = await workspace('full-snapshot');
    const [{ id: workspaceId }] = await app.db.query<{ id: string }>(`SELECT id FROM workspaces WHERE name = 'full-snapshot'`);
    await app.db.query(`INSERT INTO users (workspace_id, external_id, email, status) VALUES ($1, 'H1', 'hand@example.com', 'active')`, [workspaceId]);

    const first = await importFile(api, 'externalId,email\n1,a@example.com\n2,b@example.com\n3,c@example.com\n', FULL);
    expect(first.counts).toMatchObject({ create: 3, deactivate: 0 });

    const file = 'externalId,email\n1,a@example.com\n2,b@example.com\n';
    const planned = await preview(api, file, FULL);
    expect(planned.counts).toMatchObject({ create: 0, update: 0, unchanged: 2, deactivate: 1, delete: 0 });
    const deactivations = (await api.get<{ items: PreviewItem[] }>(`/v1/imports/${planned.id}/preview?op=deactivate`)).body.items;
    expect(deactivations).toEqual([{ line: null, key: '3', op: 'deactivate', changes: { status: { from: 'active', to: 'deactivated' } } }]);
    await api.request(planned.id, 'IMPORT_PENDING');
    const done = await api.waitForState(planned.id, 'COMPLETED');
    expect(done.applied).toMatchObject({ deactivate: 1 });
    expect((await person(api, '3')).status).toBe('deactivated');
    expect((await person(api, 'H1')).status).toBe('active');

    const again = await importFile(api, file, FULL);
    expect(again.counts).toMatchObject({ create: 0, update: 0, unchanged: 2, deactivate: 0, delete: 0, error: 0 });

    // scope: all — the person made by hand is absent from the file too.
    const all = await importFile(api, file, { ...FULL, scope: 'all' });
    expect(all.counts).toMatchObject({ deactivate: 1 });
    expect((await person(api, 'H1')).status).toBe('deactivated');

    // A deactivated person who comes back is reactivated.
    const back = await importFile(api, 'externalId,email\n3,c@example.com\n');
    expect(back.counts).toMatchObject({ update: 1 });
    expect((await person(api, '3')).status).toBe('active');
  });

  it('a full import with missing: delete deletes the absent, whose history stays readable by key', async () => {
    const api = await workspace('full-delete');
    await importFile(api, 'externalId,email\n1,a@example.com\n2,b@example.com\n');
    const done = await importFile(api, 'externalId,email\n1,a@example.com\n', { mode: 'full', missing: 'delete' });
    expect(done.counts).toMatchObject({ delete: 1, unchanged: 1 });
    expect((await api.get('/v1/users/2')).status).toBe(404);
    const history = await api.get<{ items: { op: string; changes: Record<string, { from: unknown; to: unknown }> }[] }>('/v1/users/2/history');
    expect(history.body.items.map((item) => item.op)).toEqual(['delete', 'create']);
    expect(history.body.items[0].changes.email).toEqual({ from: 'b@example.com', to: null });
  });

  it('a line that cannot be read still counts as present: a full import does not deactivate that person', async () => {
    const api = await workspace('full-bad-line');
    await importFile(api, 'externalId,email\n1,a@example.com\n2,b@example.com\n');
    const done = await importFile(api, 'externalId,email\n1,a@example.com\n2,not-an-email\n', FULL);
    expect(done.counts).toMatchObject({ deactivate: 0, error: 1 });
    expect((await person(api, '2')).status).toBe('active');
  });

  it('reads offboarding columns: status spellings, delete, track and an Archive column', async () => {
    const api = await workspace('offboarding');
    await importFile(api, 'externalId,email\n1,a@example.com\n2,b@example.com\n3,c@example.com\n4,d@example.com\n5,e@example.com\n');
    const done = await importFile(api, [
      'Employee ID,Status,Delete,Track',
      '1,Deactivated,,',
      '2,0,n,',
      '3,Activated,y,',
      '4,active,,n',
      '5,,,',
      '6,,y,',
    ].join('\n'));
    // Deleting someone the directory does not have changes nothing: they are not created.
    expect(done.counts).toMatchObject({ create: 0, deactivate: 2, delete: 1, update: 1, unchanged: 2 });
    expect((await api.get('/v1/users/6')).status).toBe(404);
    expect((await person(api, '1')).status).toBe('deactivated');
    expect((await person(api, '2')).status).toBe('deactivated');
    expect((await api.get('/v1/users/3')).status).toBe(404);
    expect((await person(api, '4')).tracked).toBe(false);

    const archived = await importFile(api, 'externalId,Archive\n4,y\n5,n\n');
    expect(archived.counts).toMatchObject({ deactivate: 1, unchanged: 1 });
    expect((await person(api, '4')).status).toBe('deactivated');

    const bad = await importFile(api, 'externalId,status,track\n5,sometimes,\n5b,,maybe\n');
    expect((await errors(api, bad.id)).map((e) => [e.line, e.code, e.column])).toEqual([[2, 'INVALID_STATUS', 'status'], [3, 'INVALID_VALUE', 'track']]);
  });

  it('matches an email key case-insensitively, and reports unknown people when it may not create them', async () => {
    const api = await workspace('email-key');
    await importFile(api, 'email,firstName\nAda@Example.com,Ada\n', { key: 'email' });
    const updated = await importFile(api, 'email,firstName\nada@EXAMPLE.com,Augusta\n', { key: 'email' });
    expect(updated.counts).toMatchObject({ create: 0, update: 1 });
    expect((await api.get<{ total: number }>('/v1/users')).body.total).toBe(1);
    expect((await api.get<{ items: Person[] }>('/v1/users')).body.items[0]).toMatchObject({ firstName: 'Augusta' });

    const strict = await importFile(api, 'email,firstName\nada@example.com,Ada\nnew@example.com,New\n', { key: 'email', createMissing: false });
    expect(strict.counts).toMatchObject({ create: 0, update: 1, error: 1 });
    const [unknown] = await errors(api, strict.id);
    expect(unknown).toMatchObject({ line: 3, code: 'UNKNOWN_PERSON', column: 'email' });
    expect(unknown.message).toContain('createMissing: false');
    expect((await api.get<{ total: number }>('/v1/users')).body.total).toBe(1);
  });

  it("with an email key, reports an externalId that is another person's, and applies the rest", async () => {
    const api = await workspace('email-key-ids');
    await importFile(api, 'email,externalId\nada@example.com,A1\ngrace@example.com,G1\n', { key: 'email' });
    const done = await importFile(api, 'email,externalId\nGRACE@example.com,A1\nalan@example.com,T1\n', { key: 'email' });
    expect(done.counts).toMatchObject({ create: 1, update: 0, error: 1 });
    const [taken] = await errors(api, done.id);
    expect(taken).toMatchObject({ line: 2, code: 'EXTERNAL_ID_IN_USE', column: 'externalId' });
    expect(taken.message).toContain('belongs to another person in the directory (email "ada@example.com")');
    expect(await person(api, 'grace@example.com')).toMatchObject({ externalId: 'G1' });
    expect(await person(api, 'alan@example.com')).toMatchObject({ externalId: 'T1' });
  });

  it('keeps display names unique: a taken one is a line error and the rest of the line applies', async () => {
    const api = await workspace('display-names');
    await importFile(api, 'externalId,displayName,title\n1,Ada L,Analyst\n2,Alan T,Analyst\n');
    const done = await importFile(api, 'externalId,displayName,title\n2,ada l,Director\n3,Grace H,Admiral\n4,Grace H,Captain\n');
    const found = await errors(api, done.id);
    expect(found.map((e) => [e.line, e.code, e.column])).toEqual([[2, 'DISPLAY_NAME_IN_USE', 'displayName'], [4, 'DISPLAY_NAME_IN_USE', 'displayName']]);
    expect(found[1].message).toContain('already used on line 3');
    expect(await person(api, '2')).toMatchObject({ displayName: 'Alan T', title: 'Director' });
    expect(await person(api, '4')).toMatchObject({ displayName: null, title: 'Captain' });
    expect(done.counts).toMatchObject({ update: 1, create: 2, error: 2 });
  });

  it('gives a person on several lines the union of their groups, and removes a group dropped from the file', async () => {
    const api = await workspace('groups');
    const first = await preview(api, [
      'externalId,email,group',
      '1,a@example.com,Sales',
      '1,a@example.com,North',
      '2,b@example.com,Sales',
      '3,c@example.com,Ops',
      '3,c-other@example.com,Board', // disagrees with line 5: an error, Board gets no member
      '4,bad-email,Ghosts', //           invalid: Ghosts has no valid member
    ].join('\n'));
    expect(first.counts).toMatchObject({ create: 3, error: 2 });
    const summary = await api.get<{ groups: unknown }>(`/v1/imports/${first.id}/preview`);
    expect(summary.body.groups).toEqual({ groupsCreated: 3, groupsRemoved: 0, membershipsAdded: 4, membershipsRemoved: 0 });
    const groupPlan = (await api.get<{ items: Record<string, unknown>[] }>(`/v1/imports/${first.id}/preview?op=groups`)).body.items;
    expect(groupPlan.filter((g) => g.op === 'group_create').map((g) => g.group)).toEqual(['North', 'Ops', 'Sales']);
    const [conflict] = (await errors(api, first.id)).filter((e) => e.code === 'DUPLICATE_KEY');
    expect(conflict).toMatchObject({ line: 6, column: 'email' });
    expect(conflict.message).toContain('of line 5 with a different "email"');
    await api.request(first.id, 'IMPORT_PENDING');
    await api.waitForState(first.id, 'COMPLETED');
    expect((await person(api, '1')).groups).toEqual(['North', 'Sales']);
    expect((await api.get<{ items: { name: string; members: number }[] }>('/v1/groups')).body.items).toEqual([
      { name: 'North', members: 1, createdAt: expect.any(String) },
      { name: 'Ops', members: 1, createdAt: expect.any(String) },
      { name: 'Sales', members: 2, createdAt: expect.any(String) },
    ]);

    const secondFile = 'externalId,email,group\n1,a@example.com,Sales\n2,b@example.com,Sales\n3,c@example.com,Sales\n';
    const second = await preview(api, secondFile);
    expect(second.counts).toMatchObject({ create: 0, update: 0, unchanged: 3 });
    expect((await api.get<{ groups: unknown }>(`/v1/imports/${second.id}/preview`)).body.groups)
      .toEqual({ groupsCreated: 0, groupsRemoved: 2, membershipsAdded: 1, membershipsRemoved: 2 });
    await api.request(second.id, 'IMPORT_PENDING');
    await api.waitForState(second.id, 'COMPLETED');
    expect((await api.get<{ items: { name: string }[] }>('/v1/groups')).body.items.map((g) => g.name)).toEqual(['Sales']);
    expect((await person(api, '1')).groups).toEqual(['Sales']);
    const members = await api.get<{ items: Person[]; total: number }>('/v1/groups/Sales/members');
    expect(members.body.total).toBe(3);
    expect((await api.get('/v1/groups/North/members')).status).toBe(404);
    expect((await api.get<{ total: number }>('/v1/users?group=Sales&q=b%40example')).body.total).toBe(1);
  });

  it('links managers after everyone is written, and reports unknown managers, self-management and cycles', async () => {
    const api = await workspace('managers');
    const done = await importFile(api, [
      'externalId,email,managerExternalId',
      '10,report@example.com,20', //  manager later in the file
      '20,boss@example.com,',
      '30,self@example.com,30', //   self
      '40,lost@example.com,99', //   unknown
      '50,a@example.com,60', //      cycle 50 → 60 → 50
      '60,b@example.com,50',
    ].join('\n'));
    expect(done.counts).toMatchObject({ create: 6 });
    expect(await person(api, '10')).toMatchObject({ managerExternalId: '20', manager: { externalId: '20' } });
    expect((await person(api, '20')).directReports.map((p) => p.externalId)).toEqual(['10']);
    const found = await errors(api, done.id);
    expect(found.map((e) => [e.line, e.code])).toEqual([[4, 'MANAGER_IS_SELF'], [5, 'MANAGER_NOT_FOUND'], [6, 'MANAGER_CYCLE'], [7, 'MANAGER_CYCLE']]);
    expect(found[2].message).toContain('line 7');
    expect(found[3].message).toContain('line 6');
    for (const key of ['30', '40', '50', '60']) expect((await person(api, key)).managerExternalId).toBeNull();

    // A cycle through the directory: 20 already manages 10; 20 may not now report to 10.
    const cycle = await importFile(api, 'externalId,managerExternalId\n20,10\n');
    expect((await errors(api, cycle.id)).map((e) => e.code)).toEqual(['MANAGER_CYCLE']);
    expect((await person(api, '20')).managerExternalId).toBeNull();
    const moved = await importFile(api, 'externalId,managerExternalId\n10,\n20,10\n');
    expect(moved.counts).toMatchObject({ update: 2, error: 0 });
    expect((await person(api, '20')).managerExternalId).toBe('10');

    // A manager already in the directory is linked as the person is created, and the managers pass
    // does not write that person again; a manager deleted later in the same import takes the link
    // with them.
    const gone = await importFile(api, 'externalId,managerExternalId,delete\n70,20,\n80,10,\n20,,y\n');
    expect(gone.counts).toMatchObject({ create: 2, delete: 1, error: 0 });
    expect((await person(api, '70')).managerExternalId).toBeNull();
    expect((await api.get('/v1/users/20')).status).toBe(404);
    expect((await person(api, '80')).managerExternalId).toBe('10');
    const [written] = await app.db.query<{ once: boolean }>(
      `SELECT updated_at = created_at AS once FROM users WHERE external_id = '80' AND created_by_import = $1`, [gone.id]);
    expect(written).toEqual({ once: true });
  });

  it('types custom fields, and reports bad values by line and column', async () => {
    const api = await workspace('custom-fields');
    for (const field of [
      { key: 'costCenter', type: 'string', label: 'Cost center' },
      { key: 'fte', type: 'number' },
      { key: 'remote', type: 'boolean' },
      { key: 'startDate', type: 'date' },
      { key: 'contract', type: 'enum', values: ['Full-time', 'Part-time'] },
    ]) {
      expect((await api.post('/v1/fields', field)).status).toBe(201);
    }
    expect((await api.post('/v1/fields', { key: 'fte', type: 'string' })).status).toBe(409);
    expect((await api.post('/v1/fields', { key: 'level', type: 'enum' })).status).toBe(400);
    expect((await api.get<{ items: { key: string }[] }>('/v1/fields')).body.items.map((f) => f.key)).toEqual(['contract', 'costCenter', 'fte', 'remote', 'startDate']);

    const mapping = { id: 'externalId', cc: 'custom.costCenter', fte: 'custom.fte', remote: 'custom.remote', start: 'custom.startDate', contract: 'custom.contract' };
    const done = await importFile(api, [
      'id,cc,fte,remote,start,contract',
      '1,CC-7,0.5,yes,2026-02-28,part-time',
      '2,CC-8,half,maybe,2026-02-30,Casual',
      '3,,1,n,,',
    ].join('\n'), { mapping });
    expect(done.counts).toMatchObject({ create: 2, error: 1 });
    expect((await person(api, '1')).custom).toEqual({ costCenter: 'CC-7', fte: 0.5, remote: true, startDate: '2026-02-28', contract: 'Part-time' });
    expect((await person(api, '3')).custom).toEqual({ fte: 1, remote: false });
    const found = await errors(api, done.id);
    expect(found.map((e) => [e.line, e.column])).toEqual([[3, 'fte'], [3, 'remote'], [3, 'start'], [3, 'contract']]);
    expect(found.every((e) => e.code === 'INVALID_VALUE')).toBe(true);
    expect(found[3].message).toContain('"Full-time", "Part-time"');

    const undefinedField = await api.upload('id,x\n1,2\n', { config: { mapping: { id: 'externalId', x: 'custom.nope' } } });
    expect(undefinedField.status).toBe(400);
    expect(JSON.stringify(undefinedField.body)).toContain('custom.nope');

    expect((await api.delete('/v1/fields/remote')).status).toBe(204);
    expect((await person(api, '1')).custom).not.toHaveProperty('remote');
    expect((await api.delete('/v1/fields/remote')).status).toBe(404);
  });

  it('normalises phones to E.164, and reports an impossible number on its line', async () => {
    const api = await workspace('phones');
    const done = await importFile(api, [
      'externalId,phoneCountryCode,phone',
      '1,49,0151 2345 6789',
      '2,DE,030 1234567',
      '3,,+44 7700 900123',
      '4,,+4915123456789',
      '5,49,12',
    ].join('\n'));
    expect(done.counts).toMatchObject({ create: 4, error: 1 });
    expect((await person(api, '1')).phone).toBe('+4915123456789');
    expect((await person(api, '2')).phone).toBe('+49301234567');
    expect((await person(api, '3')).phone).toBe('+447700900123');
    expect((await person(api, '4')).phone).toBe('+4915123456789');
    expect(await errors(api, done.id)).toEqual([expect.objectContaining({ line: 6, code: 'INVALID_PHONE', column: 'phone' })]);
  });

  it('records every applied change per person, and offers a template of the workspace fields', async () => {
    const api = await workspace('history');
    expect((await api.post('/v1/fields', { key: 'shift', type: 'enum', values: ['Early', 'Late'] })).status).toBe(201);
    const first = await importFile(api, 'externalId,title,group\n1,Analyst,Blue\n');
    const second = await importFile(api, 'externalId,title,group\n1,Director,Red\n');
    const history = (await api.get<{ items: Record<string, unknown>[] }>('/v1/users/1/history')).body.items;
    expect(history).toEqual([
      expect.objectContaining({ importId: second.id, op: 'member_add', group: 'Red' }),
      expect.objectContaining({ importId: second.id, op: 'member_remove', group: 'Blue' }),
      expect.objectContaining({ importId: second.id, line: 2, op: 'update', changes: { title: { from: 'Analyst', to: 'Director' } } }),
      expect.objectContaining({ importId: first.id, op: 'member_add', group: 'Blue' }),
      expect.objectContaining({ importId: first.id, line: 2, op: 'create' }),
    ]);

    const template = await api.text('/v1/templates/users.csv');
    expect(template.status).toBe(200);
    const [header, example] = template.text.trim().split('\r\n');
    expect(header.split(',')).toEqual(expect.arrayContaining(['externalId', 'email', 'managerExternalId', 'group', 'status', 'track', 'delete', 'shift']));
    expect(example.split(',').at(-1)).toBe('Early');
    // The template imports as it is.
    const templated = await importFile(api, template.text);
    expect(templated.counts).toMatchObject({ create: 1, error: 1 }); // its manager E0000001 is nobody here
  });
});
