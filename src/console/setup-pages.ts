import { ApiError } from './api.js';
import type { Context, Page } from './context.js';
import { h, replace, when } from './dom.js';

interface Source {
  id: string;
  name: string;
  uri: string;
  pattern: string | null;
  auth: string;
  username: string | null;
  hostKeyFingerprint: string | null;
  caCertificate: string | null;
  afterImport: string;
}

interface Profile {
  id: string;
  name: string;
  config: Record<string, unknown>;
}

interface Schedule {
  id: string;
  name: string;
  sourceId: string;
  profileId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  nextRuns: string[];
  lastRun: { outcome: string; startedAt: string; message: string | null; importId: string | null } | null;
}

const message = (error: unknown) => (error instanceof ApiError ? error.message : String(error));
const problemBox = () => h('div', { role: 'alert' });
const showProblem = (box: HTMLElement, error: unknown) => replace(box, h('p', { class: 'notice error' }, message(error)));

function input(id: string, label: string, attributes: Record<string, string | number | boolean> = {}): [HTMLElement, HTMLInputElement] {
  const element = h('input', { id, ...attributes });
  return [h('div', { class: 'field' }, h('label', { for: id }, label), element), element];
}

function textarea(id: string, label: string, rows = 3): [HTMLElement, HTMLTextAreaElement] {
  const element = h('textarea', { id, rows, cols: 60 });
  return [h('div', { class: 'field' }, h('label', { for: id }, label), element), element];
}

/** Sources: SFTP folders and HTTPS exports; test the connection (the file, its dialect, its first rows) or sync now. */
export const sourcesPage: Page = (context, main) => {
  const list = h('div');
  const result = h('div', { 'aria-live': 'polite' });
  const problem = problemBox();
  let editing: string | null = null;
  const [nameField, name] = input('source-name', 'Name', { required: true });
  const [uriField, uri] = input('source-uri', 'URI (sftp://host:port/folder or https://host/path)', { required: true, size: 50 });
  const [patternField, pattern] = input('source-pattern', 'Pattern (SFTP folder, e.g. people-*.csv)');
  const auth = h('select', { id: 'source-auth' }, ['none', 'password', 'privateKey', 'basic', 'bearer'].map((a) => h('option', { value: a }, a)));
  const [userField, username] = input('source-username', 'Username');
  const [passwordField, password] = input('source-password', 'Password', { type: 'password', autocomplete: 'new-password' });
  const [keyField, privateKey] = textarea('source-key', 'Private key (OpenSSH)');
  const [passphraseField, passphrase] = input('source-passphrase', 'Passphrase', { type: 'password', autocomplete: 'new-password' });
  const [tokenField, token] = input('source-token', 'Bearer token', { type: 'password', autocomplete: 'new-password' });
  const [fingerprintField, fingerprint] = input('source-fingerprint', 'Host key fingerprint (SHA256:…)', { size: 50 });
  const [caField, ca] = textarea('source-ca', 'CA certificate (PEM, HTTPS)');
  const [afterField, afterImport] = input('source-after', 'After import (keep, delete, move:<folder>)', { value: 'keep' });
  const submitLabel = h('span', {}, 'Add source');

  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    replace(problem);
    const credentials = (() => {
      switch (auth.value) {
        case 'password': case 'basic': return password.value ? { type: auth.value, username: username.value, password: password.value } : undefined;
        case 'privateKey': return privateKey.value ? { type: 'privateKey', username: username.value, privateKey: privateKey.value, ...(passphrase.value ? { passphrase: passphrase.value } : {}) } : undefined;
        case 'bearer': return token.value ? { type: 'bearer', token: token.value } : undefined;
        default: return editing ? undefined : { type: 'none' };
      }
    })();
    const body = {
      name: name.value, uri: uri.value, ...(pattern.value ? { pattern: pattern.value } : {}), ...(credentials ? { credentials } : {}),
      ...(fingerprint.value ? { hostKeyFingerprint: fingerprint.value } : {}), ...(ca.value ? { caCertificate: ca.value } : {}), afterImport: afterImport.value || 'keep',
    };
    try {
      await context.api.send(editing ? 'PUT' : 'POST', editing ? `/v1/sources/${editing}` : '/v1/sources', body);
      editing = null;
      submitLabel.textContent = 'Add source';
      for (const field of [name, uri, pattern, username, password, privateKey, passphrase, token, fingerprint, ca]) field.value = '';
      await load();
    } catch (error) {
      showProblem(problem, error);
    }
  };

  const load = async (): Promise<void> => {
    const [sources, profiles] = await Promise.all([context.api.get<{ items: Source[] }>('/v1/sources'), context.api.get<{ items: Profile[] }>('/v1/profiles')]);
    replace(list, sources.items.length ? h('table', {},
      h('thead', {}, h('tr', {}, ['Name', 'Where', 'Login', 'After import', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, sources.items.map((source) => {
        const profile = h('select', { 'aria-label': `Profile for syncing ${source.name}` }, profiles.items.map((p) => h('option', { value: p.id }, p.name)));
        return h('tr', {},
          h('td', {}, source.name),
          h('td', {}, source.uri, source.pattern ? ` (${source.pattern})` : ''),
          h('td', {}, source.auth, source.username ? ` as ${source.username}` : ''),
          h('td', {}, source.afterImport),
          h('td', {}, h('div', { class: 'row' },
            h('button', { type: 'button', onclick: () => void test(context, source, result) }, `Test connection`),
            context.admin && profiles.items.length ? [profile, h('button', { type: 'button', onclick: () => void sync(context, source, profile.value, result) }, 'Sync now')] : null,
            context.admin && h('button', { type: 'button', onclick: () => {
              editing = source.id;
              submitLabel.textContent = `Save ${source.name}`;
              name.value = source.name; uri.value = source.uri; pattern.value = source.pattern ?? ''; auth.value = source.auth;
              username.value = source.username ?? ''; fingerprint.value = source.hostKeyFingerprint ?? ''; ca.value = source.caCertificate ?? ''; afterImport.value = source.afterImport;
              name.focus();
            } }, 'Edit'),
            context.admin && h('button', { type: 'button', class: 'danger', onclick: () => void context.api.send('DELETE', `/v1/sources/${source.id}`).then(load, (error) => showProblem(problem, error)) }, 'Delete'),
          )),
        );
      })),
    ) : h('p', {}, 'No sources yet.'));
  };

  replace(main, h('h1', {}, 'Sources'), list, result,
    context.admin && h('form', { onsubmit: (event: Event) => void save(event) },
      h('h2', {}, 'Add or edit a source'),
      h('p', { class: 'muted' }, 'Credentials are stored encrypted and never shown again; leave them empty when editing to keep them.'),
      h('div', { class: 'row' }, nameField, uriField, patternField),
      h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'source-auth' }, 'Login'), auth), userField, passwordField, passphraseField, tokenField),
      keyField, fingerprintField, caField, afterField,
      problem,
      h('button', { type: 'submit', class: 'primary' }, submitLabel),
    ),
  );
  void load();
};

async function test(context: Context, source: Source, result: HTMLElement): Promise<void> {
  replace(result, h('p', { class: 'muted' }, `Connecting to ${source.name}…`));
  try {
    const tested = await context.api.send<{ file: { name: string; size: number | null }; dialect: { encoding: string; delimiter: string; header: boolean }; columns: string[]; rows: string[][] }>('POST', `/v1/sources/${source.id}/test`, {});
    replace(result,
      h('h2', {}, `Test of ${source.name}`),
      h('p', { role: 'status' }, `It would take ${tested.file.name}${tested.file.size !== null ? ` (${tested.file.size} bytes)` : ''} · delimiter "${tested.dialect.delimiter === '\t' ? 'tab' : tested.dialect.delimiter}" · ${tested.dialect.encoding} · header row: ${tested.dialect.header ? 'yes' : 'no'}`),
      h('table', {}, h('thead', {}, h('tr', {}, tested.columns.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, tested.rows.map((r) => h('tr', {}, tested.columns.map((_, i) => h('td', {}, r[i] ?? '')))))),
    );
  } catch (error) {
    replace(result, h('p', { class: 'notice error', role: 'alert' }, `Test of ${source.name} failed: ${message(error)}`));
  }
}

async function sync(context: Context, source: Source, profileId: string, result: HTMLElement): Promise<void> {
  replace(result, h('p', { class: 'muted' }, `Pulling from ${source.name}…`));
  try {
    const created = await context.api.send<{ id: string }>('POST', `/v1/sources/${source.id}/sync`, { profileId });
    context.go(`#/imports/${created.id}`);
  } catch (error) {
    replace(result, h('p', { class: 'notice error', role: 'alert' }, `Sync of ${source.name} failed: ${message(error)}`));
  }
}

/** Profiles: named, saved configs (JSON), created and edited. */
export const profilesPage: Page = (context, main) => {
  const list = h('div');
  const problem = problemBox();
  const [nameField, name] = input('profile-name', 'Name', { required: true });
  const [configField, config] = textarea('profile-config', 'Config (JSON: mapping, key, mode, missing, approval, notify, …)', 10);
  config.value = JSON.stringify({ mode: 'full', approval: { maxDeactivations: '10%' } }, null, 2);
  let editing: string | null = null;
  const load = async (): Promise<void> => {
    const profiles = await context.api.get<{ items: Profile[] }>('/v1/profiles');
    replace(list, profiles.items.length ? h('ul', {}, profiles.items.map((p) => h('li', {}, h('strong', {}, p.name), ` — mode ${String(p.config.mode)}, key ${String(p.config.key)} `,
      context.admin && h('button', { type: 'button', onclick: () => { editing = p.id; name.value = p.name; config.value = JSON.stringify(p.config, null, 2); name.focus(); } }, 'Edit'),
      context.admin && h('button', { type: 'button', class: 'danger', onclick: () => void context.api.send('DELETE', `/v1/profiles/${p.id}`).then(load, (error) => showProblem(problem, error)) }, 'Delete'),
    ))) : h('p', {}, 'No profiles yet.'));
  };
  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    replace(problem);
    try {
      const body = { name: name.value, config: JSON.parse(config.value) as unknown };
      await context.api.send(editing ? 'PUT' : 'POST', editing ? `/v1/profiles/${editing}` : '/v1/profiles', body);
      editing = null;
      name.value = '';
      await load();
    } catch (error) {
      showProblem(problem, error);
    }
  };
  replace(main, h('h1', {}, 'Profiles'), list, context.admin && h('form', { onsubmit: (event: Event) => void save(event) }, h('h2', {}, 'Add or edit a profile'), nameField, configField, problem, h('button', { type: 'submit', class: 'primary' }, 'Save profile')));
  void load();
};

/** Schedules: a source, a profile and a cron expression; their next runs shown in their own timezone. */
export const schedulesPage: Page = (context, main) => {
  const list = h('div');
  const problem = problemBox();
  const [nameField, name] = input('schedule-name', 'Name', { required: true });
  const source = h('select', { id: 'schedule-source' });
  const profile = h('select', { id: 'schedule-profile' });
  const [cronField, cron] = input('schedule-cron', 'Cron (minute hour day month weekday)', { value: '0 2 * * *' });
  const [zoneField, timezone] = input('schedule-timezone', 'Timezone', { value: Intl.DateTimeFormat().resolvedOptions().timeZone, list: 'zones' });
  const enabled = h('input', { id: 'schedule-enabled', type: 'checkbox', checked: true });
  const submitLabel = h('span', {}, 'Add schedule');
  let editing: string | null = null;
  const zones = h('datalist', { id: 'zones' }, (Intl as unknown as { supportedValuesOf(kind: string): string[] }).supportedValuesOf('timeZone').map((z) => h('option', { value: z })));
  const load = async (): Promise<void> => {
    const [schedules, sources, profiles] = await Promise.all([
      context.api.get<{ items: Schedule[] }>('/v1/schedules'), context.api.get<{ items: Source[] }>('/v1/sources'), context.api.get<{ items: Profile[] }>('/v1/profiles'),
    ]);
    replace(source, sources.items.map((s) => h('option', { value: s.id }, s.name)));
    replace(profile, profiles.items.map((p) => h('option', { value: p.id }, p.name)));
    const names = new Map([...sources.items, ...profiles.items].map((x) => [x.id, x.name]));
    replace(list, schedules.items.length ? h('table', {},
      h('thead', {}, h('tr', {}, ['Name', 'Pulls', 'When', 'Next runs', 'Last run', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, schedules.items.map((s) => h('tr', {},
        h('td', {}, s.name),
        h('td', {}, `${names.get(s.sourceId) ?? '?'} with ${names.get(s.profileId) ?? '?'}`),
        h('td', {}, `${s.cron} (${s.timezone})${s.enabled ? '' : ' — disabled'}`),
        h('td', {}, h('ul', { class: 'next-runs' }, s.nextRuns.slice(0, 3).map((at) => h('li', {}, inZone(at, s.timezone))))),
        h('td', {}, s.lastRun ? [`${s.lastRun.outcome}, ${when(s.lastRun.startedAt)}`, s.lastRun.importId ? [' ', h('a', { href: `#/imports/${s.lastRun.importId}` }, 'import')] : ''] : 'never'),
        h('td', {}, context.admin && [
          h('button', { type: 'button', onclick: () => {
            editing = s.id;
            submitLabel.textContent = `Save ${s.name}`;
            name.value = s.name; source.value = s.sourceId; profile.value = s.profileId; cron.value = s.cron; timezone.value = s.timezone; enabled.checked = s.enabled;
            name.focus();
          } }, 'Edit'),
          h('button', { type: 'button', onclick: () => void context.api.send('PUT', `/v1/schedules/${s.id}`, { name: s.name, sourceId: s.sourceId, profileId: s.profileId, cron: s.cron, timezone: s.timezone, enabled: !s.enabled }).then(load, (error) => showProblem(problem, error)) }, s.enabled ? 'Disable' : 'Enable'),
          h('button', { type: 'button', class: 'danger', onclick: () => void context.api.send('DELETE', `/v1/schedules/${s.id}`).then(load, (error) => showProblem(problem, error)) }, 'Delete'),
        ]),
      ))),
    ) : h('p', {}, 'No schedules yet.'));
  };
  const save = async (event: Event): Promise<void> => {
    event.preventDefault();
    replace(problem);
    try {
      const body = { name: name.value, sourceId: source.value, profileId: profile.value, cron: cron.value, timezone: timezone.value, enabled: enabled.checked };
      await context.api.send(editing ? 'PUT' : 'POST', editing ? `/v1/schedules/${editing}` : '/v1/schedules', body);
      editing = null;
      submitLabel.textContent = 'Add schedule';
      name.value = '';
      await load();
    } catch (error) {
      showProblem(problem, error);
    }
  };
  replace(main, h('h1', {}, 'Schedules'), list, zones,
    context.admin && h('form', { onsubmit: (event: Event) => void save(event) },
      h('h2', {}, 'Add or edit a schedule'),
      h('div', { class: 'row' }, nameField,
        h('div', { class: 'field' }, h('label', { for: 'schedule-source' }, 'Source'), source),
        h('div', { class: 'field' }, h('label', { for: 'schedule-profile' }, 'Profile'), profile),
        cronField, zoneField,
        h('div', { class: 'field' }, h('label', { for: 'schedule-enabled' }, 'Enabled'), enabled)),
      problem,
      h('button', { type: 'submit', class: 'primary' }, submitLabel),
    ),
  );
  void load();
};

/** A time as the schedule's own timezone tells it. */
function inZone(iso: string, timeZone: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))} (${timeZone})`;
}
