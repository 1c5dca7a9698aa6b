import { ApiError, type ImportView, type Sample } from './api.js';
import type { Context, Page } from './context.js';
import { h, replace } from './dom.js';

const DELIMITER_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' };

/**
 * A new import: drop or choose a CSV; the file is stored as a draft, and its detected dialect, first
 * rows and mapping are shown; the person fixes the mapping, picks options, and creates a preview or
 * imports at once.
 */
export const newImportPage: Page = (context, main) => {
  if (!context.admin) return void replace(main, h('h1', {}, 'New import'), h('p', {}, 'A viewer key cannot import.'));
  const input = h('input', { id: 'file', type: 'file', accept: '.csv,text/csv,text/plain' });
  const status = h('p', { role: 'status', class: 'muted' });
  const drop = h('div', { class: 'drop' },
    h('p', {}, 'Drop a CSV file here, or'),
    h('label', { for: 'file' }, 'Choose a CSV file'),
    input,
  );
  const work = h('div');
  const fromSource = h('div');
  replace(main, h('h1', {}, 'New import'), drop, fromSource, status, work);
  void sourcePicker(context, fromSource);

  const take = (file: File | undefined): void => {
    if (file) void upload(context, file, status, work);
  };
  input.addEventListener('change', () => take(input.files?.[0]));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    take(event.dataTransfer?.files[0]);
  });
};

/** Or take the file from a saved source now, with a saved profile's config. */
async function sourcePicker(context: Context, target: HTMLElement): Promise<void> {
  const [sources, profiles] = await Promise.all([
    context.api.get<{ items: { id: string; name: string }[] }>('/v1/sources'),
    context.api.get<{ items: { id: string; name: string }[] }>('/v1/profiles'),
  ]);
  if (!sources.items.length || !profiles.items.length) return;
  const source = h('select', { id: 'sync-source' }, sources.items.map((s) => h('option', { value: s.id }, s.name)));
  const profile = h('select', { id: 'sync-profile' }, profiles.items.map((p) => h('option', { value: p.id }, p.name)));
  const problem = h('div', { role: 'alert' });
  const sync = async (): Promise<void> => {
    replace(problem);
    try {
      const created = await context.api.send<ImportView>('POST', `/v1/sources/${source.value}/sync`, { profileId: profile.value });
      await context.api.send('PATCH', `/v1/imports/${created.id}`, { state: 'PREVIEW_PENDING' });
      context.go(`#/imports/${created.id}`);
    } catch (error) {
      replace(problem, h('p', { class: 'notice error' }, (error as Error).message));
    }
  };
  replace(target,
    h('h2', {}, 'Or pull it from a source'),
    h('div', { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'sync-source' }, 'Source'), source),
      h('div', { class: 'field' }, h('label', { for: 'sync-profile' }, 'Profile'), profile),
      h('div', { class: 'field' }, h('button', { type: 'button', onclick: () => void sync() }, 'Sync now and preview')),
    ),
    problem,
  );
}

async function upload(context: Context, file: File, status: HTMLElement, work: HTMLElement): Promise<void> {
  status.textContent = `Reading ${file.name}…`;
  replace(work);
  try {
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('config', JSON.stringify({ parsing: { encoding: 'auto' } }));
    const draft = await context.api.send<ImportView>('POST', '/v1/imports', form);
    const [sample, standard, custom] = await Promise.all([
      context.api.get<Sample>(`/v1/imports/${draft.id}/sample`),
      context.api.get<{ items: { name: string }[] }>('/v1/fields/standard'),
      context.api.get<{ items: { key: string; label: string }[] }>('/v1/fields'),
    ]);
    status.textContent = `${file.name} is stored as a draft.`;
    const fields = [...standard.items.map((f) => [f.name, f.name]), ...custom.items.map((f) => [`custom.${f.key}`, `${f.label} (custom)`])] as [string, string][];
    mappingEditor(context, draft, sample, fields, work);
  } catch (error) {
    status.textContent = '';
    replace(work, h('p', { class: 'notice error', role: 'alert' }, (error as Error).message));
  }
}

function mappingEditor(context: Context, draft: ImportView, sample: Sample, fields: [string, string][], work: HTMLElement): void {
  const mapped = new Map(sample.mapping.map((m) => [m.column, m.field]));
  const selects = sample.columns.map((column, index) => {
    const select = h('select', { id: `map-${index}`, 'data-column': column },
      h('option', { value: '' }, '— not imported —'),
      fields.map(([value, label]) => h('option', { value, selected: mapped.get(column) === value }, label)),
    );
    return { column, select, values: sample.rows.slice(0, 3).map((row) => row[index] ?? '').filter(Boolean) };
  });
  const mode = choice('mode', 'Mode', [['delta', 'Delta: only the people in the file change'], ['full', 'Full: the file is the whole directory']]);
  const key = choice('key', 'Key', [['externalId', 'externalId'], ['email', 'email']]);
  const missing = choice('missing', 'People missing from a full file', [['deactivate', 'Deactivate'], ['delete', 'Delete'], ['ignore', 'Leave alone']]);
  const gates = (['maxCreates', 'maxUpdates', 'maxDeactivations', 'maxDeletions'] as const).map((gate) => ({ gate, input: h('input', { id: gate, placeholder: 'e.g. 10% or 50', size: 10 }) }));
  const GATE_LABELS = { maxCreates: 'creates', maxUpdates: 'updates', maxDeactivations: 'deactivations', maxDeletions: 'deletions' };
  const profile = h('input', { id: 'profile', placeholder: 'optional', size: 24 });
  const problem = h('div', { role: 'alert' });

  const submit = async (state: 'PREVIEW_PENDING' | 'IMPORT_PENDING'): Promise<void> => {
    replace(problem);
    const mapping = Object.fromEntries(selects.filter((s) => s.select.value).map((s) => [s.column, s.select.value]));
    const approval = Object.fromEntries(gates.filter((g) => g.input.value.trim()).map((g) => {
      const limit = g.input.value.trim();
      return [g.gate, /%$/.test(limit) ? limit : Number(limit)];
    }));
    const config = {
      mapping,
      key: key.value,
      mode: mode.value,
      missing: missing.value,
      parsing: { delimiter: sample.delimiter, header: sample.header, encoding: 'utf-8', ...(sample.header ? {} : { columns: sample.columns }) },
      ...(Object.keys(approval).length ? { approval } : {}),
    };
    try {
      await context.api.send('PUT', `/v1/imports/${draft.id}/config`, config);
      if (profile.value.trim()) await context.api.send('POST', '/v1/profiles', { name: profile.value.trim(), config });
      await context.api.send('PATCH', `/v1/imports/${draft.id}`, { state });
      context.go(`#/imports/${draft.id}`);
    } catch (error) {
      replace(problem, h('p', { class: 'notice error' }, error instanceof ApiError ? error.message : String(error)));
    }
  };

  replace(work,
    h('h2', {}, 'What was found'),
    h('p', {}, `Delimiter: ${DELIMITER_NAMES[sample.delimiter] ?? sample.delimiter} · encoding: ${sample.encoding} · header row: ${sample.header ? 'yes' : 'no'}`),
    sample.problem && h('p', { class: 'notice error' }, sample.problem),
    h('table', {},
      h('caption', { class: 'muted' }, 'First rows'),
      h('thead', {}, h('tr', {}, sample.columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, sample.rows.map((r) => h('tr', {}, sample.columns.map((_, i) => h('td', {}, r[i] ?? ''))))),
    ),
    h('h2', {}, 'Mapping'),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'CSV column'), h('th', { scope: 'col' }, 'Sample values'), h('th', { scope: 'col' }, 'Field'))),
      h('tbody', {}, selects.map((s, i) =>
        h('tr', {},
          h('td', {}, h('label', { for: `map-${i}` }, s.column)),
          h('td', { class: 'muted' }, s.values.join(' · ')),
          h('td', {}, s.select),
        ))),
    ),
    h('h2', {}, 'Options'),
    h('div', { class: 'row' },
      field(mode), field(key), field(missing),
      h('div', { class: 'field' }, h('label', { for: 'profile' }, 'Save as profile'), profile),
    ),
    h('fieldset', {}, h('legend', {}, 'Wait for approval above this many (a number, or a % of active people)'),
      h('div', { class: 'row' }, gates.map((g) => h('div', { class: 'field' }, h('label', { for: g.gate }, GATE_LABELS[g.gate]), g.input))),
    ),
    problem,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary', onclick: () => void submit('PREVIEW_PENDING') }, 'Create preview'),
      h('button', { type: 'button', onclick: () => void submit('IMPORT_PENDING') }, 'Import now'),
    ),
  );
}

function choice(id: string, label: string, options: [string, string][]): HTMLSelectElement & { label: string } {
  const select = h('select', { id }, options.map(([value, text]) => h('option', { value }, text)));
  return Object.assign(select, { label });
}

function field(select: HTMLSelectElement & { label: string }): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: select.id }, select.label), select);
}
