import type { ImportView } from './api.js';
import { every, type Page } from './context.js';
import { bytes, h, replace, tone, when } from './dom.js';

/** Filters by what a person asks for, as the states they stand for. */
const FILTERS: [string, string][] = [
  ['', 'All'],
  ['PREVIEW_READY', 'Waiting for approval or ready'],
  ['IMPORTING', 'Importing'],
  ['COMPLETED', 'Completed'],
  ['FAILED', 'Error while processing'],
  ['CANCELLED', 'Cancelled or rejected'],
  ['DRAFT', 'Draft'],
];
const RUNNING = new Set(['PREVIEW_PENDING', 'CREATING_PREVIEW', 'IMPORT_PENDING', 'IMPORTING']);

/** Speed and time left of a running import, from the lines it did between two polls. */
interface Pace {
  at: number;
  lines: number;
  perSecond: number | null;
}

/** The history: newest first, a live progress bar for running imports, filtered by status. */
export const importsPage: Page = (context, main) => {
  const filter = h('select', { id: 'filter' }, FILTERS.map(([value, label]) => h('option', { value }, label)));
  const body = h('tbody');
  const paces = new Map<string, Pace>();
  const table = h('table', {},
    h('caption', { class: 'muted' }, 'Newest first; running imports update by themselves.'),
    h('thead', {}, h('tr', {}, ['File', 'Status', 'Requested by', 'When', 'Changes', 'Progress'].map((title) => h('th', { scope: 'col' }, title)))),
    body,
  );
  replace(main,
    h('div', { class: 'row' }, h('h1', {}, 'Imports'), context.admin && h('a', { class: 'button', href: '#/imports/new' }, 'New import')),
    h('div', { class: 'field' }, h('label', { for: 'filter' }, 'Status'), filter),
    table,
  );

  const refresh = async (): Promise<void> => {
    const state = filter.value;
    const page = await context.api.get<{ items: ImportView[]; total: number }>(`/v1/imports?pageSize=50${state ? `&state=${state}` : ''}`);
    replace(body, page.items.length ? page.items.map((item) => row(item, pace(paces, item))) : h('tr', {}, h('td', { colspan: 6 }, 'No imports.')));
  };
  filter.addEventListener('change', () => void refresh());
  return every(1000, refresh);
};

function pace(paces: Map<string, Pace>, item: ImportView): Pace | undefined {
  if (!RUNNING.has(item.state)) return undefined;
  const now = Date.now();
  const before = paces.get(item.id);
  const lines = item.progress.linesProcessed;
  const perSecond = before && now > before.at && lines >= before.lines ? ((lines - before.lines) * 1000) / (now - before.at) : (before?.perSecond ?? null);
  const next = { at: now, lines, perSecond: perSecond ?? null };
  paces.set(item.id, next);
  return next;
}

function row(item: ImportView, pace: Pace | undefined): HTMLTableRowElement {
  const { counts, progress } = item;
  const changes = `+${counts.create} ~${counts.update} −${counts.deactivate + counts.delete}${counts.error ? `, ${counts.error} errors` : ''}`;
  return h('tr', {},
    h('td', {}, h('a', { href: `#/imports/${item.id}` }, item.file.name)),
    h('td', {}, h('span', { class: `status ${tone(item.status)}` }, item.status)),
    h('td', {}, item.requestedBy),
    h('td', {}, when(item.createdAt)),
    h('td', {}, changes),
    h('td', {}, pace ? progressBar(item, pace) : `${progress.percent}%`),
  );
}

/** Lines and bytes done, percent, rows per second and time left. */
export function progressBar(item: ImportView, pace?: Pace): HTMLElement {
  const { progress } = item;
  const left = pace?.perSecond && pace.perSecond > 0 && progress.percent > 0 ? estimateLeft(item, pace.perSecond) : null;
  return h('div', { class: 'progress' },
    h('progress', { max: 100, value: progress.percent, 'aria-label': `${item.file.name}: ${progress.percent}% done` }),
    ` ${progress.percent}% · ${progress.linesProcessed.toLocaleString()} lines · ${bytes(progress.bytesProcessed)} of ${bytes(progress.totalBytes)}`,
    pace?.perSecond ? ` · ${Math.round(pace.perSecond).toLocaleString()} rows/s` : '',
    left !== null ? ` · about ${left} s left` : '',
    h('span', { class: 'muted' }, ` (${progress.phase})`),
  );
}

function estimateLeft(item: ImportView, perSecond: number): number {
  const { linesProcessed, percent } = item.progress;
  const totalLines = percent > 0 ? linesProcessed / (percent / 100) : 0;
  return Math.max(0, Math.round((totalLines - linesProcessed) / perSecond));
}
