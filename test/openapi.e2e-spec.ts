import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject, OperationObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { randomUUID } from 'node:crypto';
import { Api } from './support/api-client.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

interface Route {
  method: Method;
  path: string;
}

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * The routes Express really has, as OpenAPI paths. Left out: the document and its UI, and the
 * middleware Nest mounts on every path (request logging, the console's static files).
 */
function registeredRoutes(app: TestApp): Route[] {
  const stack = (app.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } }).router.stack;
  return stack
    .flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => ({ method: method as Method, path: layer.route!.path })) : []))
    .filter(({ path }) => path !== '/openapi.json' && path !== '/docs' && !path.startsWith('/docs/') && !path.includes('*'))
    .map(({ method, path }) => ({ method, path: path.replace(/:(\w+)/g, '{$1}') }));
}

function documentedRoutes(document: OpenAPIObject): Route[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    (['get', 'put', 'post', 'delete', 'patch'] as const).filter((method) => item[method]).map((method) => ({ method, path })),
  );
}

const key = (route: Route): string => `${route.method.toUpperCase()} ${route.path}`;

/**
 * Checks bodies against the document's schemas, strictly: an object may only have the properties
 * its schema lists, so a field the document does not mention fails as much as a missing one.
 */
class SchemaChecker {
  // ajv-formats is CommonJS: its function is the default export's `default`.
  private readonly ajv = ajvFormats.default(new Ajv({ strict: false, allErrors: true }));

  constructor(private readonly document: OpenAPIObject) {}

  response(method: Method, path: string, status: number, body: unknown, contentType = 'application/json'): void {
    const response = this.operation(method, path).responses[status] as ResponseObject | undefined;
    if (!response) throw new Error(`${method.toUpperCase()} ${path} does not document ${status}`);
    this.check(`${method.toUpperCase()} ${path} ${status}`, response.content?.[contentType]?.schema, body);
  }

  request(method: Method, path: string, body: unknown): void {
    this.check(`${method.toUpperCase()} ${path} request`, this.requestSchema(method, path), body);
  }

  requestSchema(method: Method, path: string): SchemaObject {
    const requestBody = this.operation(method, path).requestBody as { content: Record<string, { schema: unknown }> } | undefined;
    return this.inline(requestBody?.content['application/json']?.schema) as SchemaObject;
  }

  operation(method: Method, path: string): OperationObject {
    const operation = this.document.paths[path]?.[method];
    if (!operation) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
    return operation;
  }

  private check(what: string, schema: unknown, body: unknown): void {
    if (!schema) throw new Error(`${what}: no schema documented`);
    const validate = this.ajv.compile(this.inline(schema) as object);
    if (!validate(body)) throw new Error(`${what} does not match its schema: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(body, null, 2)}`);
  }

  /** The schema with every $ref replaced by what it names, and objects closed to unlisted properties. */
  private inline(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.inline(item));
    if (node === null || typeof node !== 'object') return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    if (typeof $ref === 'string') return this.inline(this.document.components!.schemas![$ref.replace('#/components/schemas/', '')]);
    const copy = Object.fromEntries(Object.entries(rest).map(([name, value]) => [name, this.inline(value)]));
    if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
    return copy;
  }
}

describe('OpenAPI document', () => {
  let app: TestApp;
  let admin: Api;
  let document: OpenAPIObject;
  let schemas: SchemaChecker;

  beforeAll(async () => {
    app = await startTestApp();
    admin = new Api(app.baseUrl, await app.createKey('openapi', 'root'));
    const served = await fetch(`${app.baseUrl}/openapi.json`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^application\/json/);
    document = (await served.json()) as OpenAPIObject;
    schemas = new SchemaChecker(document);
  });
  afterAll(() => app.close());

  it('is valid OpenAPI 3 and has every route the application registers, and no other', async () => {
    const validator = new Validator();
    expect(await validator.validate(structuredClone(document) as unknown as Record<string, unknown>)).toEqual({ valid: true });
    expect(validator.version).toMatch(/^3\./);
    const registered = registeredRoutes(app).map(key).sort();
    expect(registered.length).toBeGreaterThan(40);
    expect(documentedRoutes(document).map(key).sort()).toEqual(registered);
  });

  it('says which key each route needs, as the guard decides: none, any key, or an admin key', async () => {
    const viewer = new Api(app.baseUrl, await app.createKey('openapi', 'reader', 'viewer'));
    const roles: Record<string, string> = {};
    for (const route of documentedRoutes(document)) {
      const operation = schemas.operation(route.method, route.path) as OperationObject & { 'x-required-role': string };
      const role = operation['x-required-role'];
      roles[key(route)] = role;
      // Any id will do: the guard answers before the route reads it.
      const url = `${app.baseUrl}${route.path.replace(/\{\w+\}/g, randomUUID())}`;
      const anonymous = await fetch(url, { method: route.method.toUpperCase() });
      const asViewer = await fetch(url, { method: route.method.toUpperCase(), headers: { 'x-api-key': viewer.key } });
      await Promise.all([anonymous.text(), asViewer.text()]);
      expect({ route: key(route), role, anonymous: anonymous.status === 401, viewer: asViewer.status === 403 }).toEqual({
        route: key(route),
        role,
        anonymous: role !== 'none',
        viewer: role === 'admin',
      });
      expect(operation.security).toEqual(role === 'none' ? [] : undefined);
      if (role !== 'none') expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '429']));
      if (role === 'admin') expect(Object.keys(operation.responses)).toContain('403');
    }
    expect(roles).toMatchObject({ 'GET /health': 'none', 'GET /v1/imports': 'viewer', 'POST /v1/imports': 'admin', 'POST /v1/keys': 'admin' });
    expect(document.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
    expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('describes what POST /v1/keys takes and returns', async () => {
    const body = { name: 'dashboard', role: 'viewer' };
    schemas.request('post', '/v1/keys', body);
    const created = await admin.post('/v1/keys', body);
    expect(created.status).toBe(201);
    schemas.response('post', '/v1/keys', 201, created.body);

    // What the schema refuses, the route refuses, and what it allows, the route takes.
    const requestSchema = schemas.requestSchema('post', '/v1/keys');
    expect(requestSchema.required?.sort()).toEqual(['name', 'role']);
    for (const role of (requestSchema.properties!.role as SchemaObject).enum!) {
      expect((await admin.post('/v1/keys', { name: `as ${role}`, role })).status).toBe(201);
    }
    expect(() => schemas.request('post', '/v1/keys', { name: 'x', role: 'owner' })).toThrow(/must be equal to one of the allowed values/);
    const refused = await admin.post('/v1/keys', { name: 'x', role: 'owner' });
    expect(refused.status).toBe(400);
    schemas.response('post', '/v1/keys', 400, refused.body);
    expect(refused.body).toMatchObject({ code: 'validation_failed', fields: [{ field: 'role' }] });

    const listed = await admin.get('/v1/keys');
    schemas.response('get', '/v1/keys', 200, listed.body);
    const me = await admin.get('/v1/me');
    schemas.response('get', '/v1/me', 200, me.body);
    const anonymous = await new Api(app.baseUrl, 'rsk_unknown-key-of-nobody').get('/v1/keys');
    expect(anonymous.status).toBe(401);
    schemas.response('get', '/v1/keys', 401, anonymous.body);
  });

  it("describes an import's upload, views, preview, errors, history and sample as the API answers them", async () => {
    const upload = await admin.upload('externalId,email,firstName\n1,ada@example.com,Ada\n2,not-an-email,Bob\n', { config: { key: 'externalId', approval: { maxCreates: '90%' } } });
    expect(upload.status).toBe(201);
    schemas.response('post', '/v1/imports', 201, upload.body);
    expect(upload.headers.get('location')).toBe(`/v1/imports/${upload.body.id}`);
    expect(Object.keys((schemas.operation('post', '/v1/imports').requestBody as { content: object }).content).sort()).toEqual(['application/json', 'multipart/form-data']);

    const id = upload.body.id;
    const patched = await admin.request(id, 'PREVIEW_PENDING');
    schemas.response('patch', '/v1/imports/{id}', 200, patched.body);
    const ready = await admin.waitForState(id, 'PREVIEW_READY');
    expect(ready.counts).toMatchObject({ create: 1, error: 1 });
    schemas.response('get', '/v1/imports/{id}', 200, ready);
    // The check is strict: a field the document does not have, or one it has that is missing, fails.
    expect(() => schemas.response('get', '/v1/imports/{id}', 200, { ...ready, undocumented: true })).toThrow(/must NOT have additional properties/);
    const { status: _status, ...withoutStatus } = ready;
    expect(() => schemas.response('get', '/v1/imports/{id}', 200, withoutStatus)).toThrow(/must have required property 'status'/);
    schemas.response('get', '/v1/imports', 200, (await admin.get('/v1/imports?state=PREVIEW_READY')).body);

    for (const [query, items] of [['', 1], ['?op=create', 1], ['?op=error', 1], ['?op=groups', 0]] as const) {
      const preview = await admin.get<{ items: unknown[] }>(`/v1/imports/${id}/preview${query}`);
      expect({ query, items: preview.body.items.length }).toEqual({ query, items });
      schemas.response('get', '/v1/imports/{id}/preview', 200, preview.body);
    }
    const errors = await admin.get<{ items: unknown[] }>(`/v1/imports/${id}/errors`);
    expect(errors.body.items).toHaveLength(1);
    schemas.response('get', '/v1/imports/{id}/errors', 200, errors.body);
    schemas.response('get', '/v1/imports/{id}/events', 200, (await admin.get(`/v1/imports/${id}/events`)).body);
    schemas.response('get', '/v1/imports/{id}/sample', 200, (await admin.get(`/v1/imports/${id}/sample`)).body);
    const csv = await admin.text(`/v1/imports/${id}/errors.csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    schemas.response('get', '/v1/imports/{id}/errors.csv', 200, csv.text, 'text/csv');

    const missing = await admin.get(`/v1/imports/${randomUUID()}`);
    expect(missing.status).toBe(404);
    schemas.response('get', '/v1/imports/{id}', 404, missing.body);
    const illegal = await admin.put(`/v1/imports/${id}/config`, { mode: 'sideways' });
    expect(illegal.status).toBe(400);
    schemas.response('put', '/v1/imports/{id}/config', 400, illegal.body);
  });

  it('describes the directory and the workspace configuration as the API answers them', async () => {
    const seed = await admin.upload('externalId,email,firstName,department,group\n10,grace@example.com,Grace,Navy,Admirals\n', { config: { key: 'externalId' } });
    await admin.request(seed.body.id, 'IMPORT_PENDING');
    await admin.waitForState(seed.body.id, 'COMPLETED');
    const check = async (method: Method, path: string, url: string, status: number, body?: unknown): Promise<Record<string, unknown>> => {
      if (body !== undefined) schemas.request(method, path, body);
      const reply = method === 'get' ? await admin.get(url) : method === 'delete' ? await admin.delete(url) : method === 'put' ? await admin.put(url, body) : await admin.post(url, body);
      expect({ url, status: reply.status }).toEqual({ url, status });
      if (status !== 204) schemas.response(method, path, status, reply.body);
      return reply.body;
    };

    await check('get', '/v1/users', '/v1/users?status=active', 200);
    await check('get', '/v1/users/{key}', '/v1/users/10', 200);
    await check('post', '/v1/users/{key}/activate', '/v1/users/10/activate', 200, undefined);
    await check('get', '/v1/users/{key}/history', '/v1/users/10/history', 200);
    await check('get', '/v1/groups', '/v1/groups', 200);
    await check('get', '/v1/groups/{name}/members', '/v1/groups/Admirals/members', 200);
    await check('post', '/v1/fields', '/v1/fields', 201, { key: 'contract', type: 'enum', values: ['full-time', 'part-time'] });
    await check('get', '/v1/fields', '/v1/fields', 200);
    await check('get', '/v1/fields/standard', '/v1/fields/standard', 200);
    await check('delete', '/v1/fields/{key}', '/v1/fields/contract', 204);
    schemas.response('get', '/v1/templates/users.csv', 200, (await admin.text('/v1/templates/users.csv')).text, 'text/csv');

    const profile = await check('post', '/v1/profiles', '/v1/profiles', 201, { name: 'Nightly', config: { mode: 'full', approval: { maxDeactivations: 10 } } });
    await check('put', '/v1/profiles/{id}', `/v1/profiles/${profile.id}`, 200, { name: 'Nightly HR', config: { mode: 'delta' } });
    await check('get', '/v1/profiles', '/v1/profiles', 200);
    // Never contacted: loopback addresses, and nothing here pulls or delivers.
    const source = await check('post', '/v1/sources', '/v1/sources', 201, { name: 'Export', uri: 'https://127.0.0.1:9/people.csv', credentials: { type: 'bearer', token: 't' } });
    await check('get', '/v1/sources/{id}', `/v1/sources/${source.id}`, 200);
    const schedule = await check('post', '/v1/schedules', '/v1/schedules', 201, { name: 'Nightly', sourceId: source.id, profileId: profile.id, cron: '0 2 * * *', timezone: 'Europe/Berlin' });
    await check('get', '/v1/schedules', '/v1/schedules', 200);
    await check('get', '/v1/schedules/{id}/runs', `/v1/schedules/${schedule.id}/runs`, 200);
    await check('delete', '/v1/sources/{id}', `/v1/sources/${source.id}`, 409);
    await check('delete', '/v1/schedules/{id}', `/v1/schedules/${schedule.id}`, 204);
    await check('put', '/v1/settings', '/v1/settings', 200, { minIntervalMinutes: 5 });
    await check('put', '/v1/settings', '/v1/settings', 200, { minIntervalMinutes: null });
    const webhook = await check('post', '/v1/webhooks', '/v1/webhooks', 201, { url: 'http://127.0.0.1:9/hook', events: ['import.completed'] });
    await check('get', '/v1/webhooks', '/v1/webhooks', 200);
    await check('get', '/v1/webhooks/{id}/deliveries', `/v1/webhooks/${webhook.id}/deliveries`, 200);
    await check('delete', '/v1/webhooks/{id}', `/v1/webhooks/${webhook.id}`, 204);
  });

  it('serves the docs as a page whose scripts and styles come from this server', async () => {
    const page = await fetch(`${app.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    const assets = [...html.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((match) => new URL(match[1], `${app.baseUrl}/docs`).pathname);
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/swagger-ui-init.js']));
    for (const asset of assets) expect({ asset, status: (await fetch(`${app.baseUrl}${asset}`)).status }).toEqual({ asset, status: 200 });
    // The console is still at /.
    const console = await fetch(`${app.baseUrl}/`);
    expect(console.status).toBe(200);
    expect(await console.text()).toContain('<title>rostersync</title>');
  });
});
