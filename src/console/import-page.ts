import { ApiError, type ImportView } from './api.js';
import { every, type Context, type Page } from './context.js';
import { h, replace, tone, when } from './dom.js';
import { progressBar } from './imports-page.js';

const FINAL = new Set(['COMPLETED', 'CANCELLED']);
const TABS: [string, string][] = [['create', 'Create'], ['update', 'Update'], ['deactivate', 'Deactivate'], ['delete', 'Delete'], ['unchanged', 'Unchanged'], ['error', 'Errors'], ['groups', 'Groups']];

interface PreviewItem {
  line: number | null;
  key: string;
  op: string;
  changes?: Record<string, { from: unknown; to: unknown }> | null;
  fields?: Record<string, unknown> | null;
}

interface ErrorItem {
  line: number;
  column: string | null;
  code: string;
  message: string;
  raw: string;
}

/**
 * One import: its status and live progress, the approval reasons, the decisions an admin can take
 * (import or approve, reject with a comment, cancel), count cards, and the people per change with
 * each field's before → after, the errors with their lines, and the errors CSV.
 */
export const importPage: Page = (context, main, [id]) => {
  const header = h('div');
  const actions = h('div');
  const cards = h('div', { class: 'cards' });
  const tabs = h('div', { role: 'tablist', 'aria-label': 'Changes' });
  const panel = h('div', { role: 'tabpanel', id: 'panel', tabindex: 0 });
  let selected = 'create';
  let shownState = '';
  replace(main, header, actions, cards, tabs, panel);

  const showTab = async (op: string): Promise<void> => {
    selected = op;
    for (const tab of tabs.querySelectorAll('[role=tab]')) tab.setAttribute('aria-selected', String(tab.getAttribute('data-op') === op));
    replace(panel, h('p', { class: 'muted' }, 'Loading…'));
    const page = await context.api.get<{ items: unknown[]; total: number; ready: boolean }>(`/v1/imports/${id}/preview?op=${op}&pageSize=100`).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 410) return error; // removed by retention
      throw error;
    });
    if (page instanceof ApiError) return replace(panel, h('p', {}, page.message));
    if (!page.ready) return replace(panel, h('p', {}, 'The preview is not ready yet.'));
    replace(panel, op === 'error' ? errorsTable(page.items as ErrorItem[]) : op === 'groups' ? groupsList(page.items) : peopleTable(op, page.items as PreviewItem[]), page.total > page.items.length ? h('p', { class: 'muted' }, `The first ${page.items.length} of ${page.total}.`) : null);
  };
  replace(tabs, TABS.map(([op, label]) => h('button', { type: 'button', role: 'tab', 'data-op': op, 'aria-controls': 'panel', 'aria-selected': op === selected ? 'true' : 'false', onclick: () => void showTab(op) }, label)));

  return every(1000, async () => {
    const item = await context.api.get<ImportView>(`/v1/imports/${id}`);
    drawHeader(item, header);
    if (item.state !== shownState) {
      shownState = item.state;
      // After an action the next poll draws the new state (no page reload).
      drawActions(context, item, actions, () => (shownState = ''));
      drawCards(item, cards);
      if (['PREVIEW_READY', 'COMPLETED', 'IMPORTING', 'IMPORT_PENDING'].includes(item.state)) await showTab(selected);
    }
    return !FINAL.has(item.state);
  });
};

function drawHeader(item: ImportView, header: HTMLElement): void {
  replace(header,
    h('h1', {}, item.file.name),
    h('p', {}, 'Status: ', h('span', { class: `status ${tone(item.status)}`, id: 'status' }, item.status), h('span', { class: 'muted' }, ` · ${item.state} · requested by ${item.requestedBy}, ${when(item.createdAt)}`)),
    h('div', {}, progressBar(item)),
    item.approval?.required && item.status === 'Waiting for Approval'
      ? h('div', { class: 'notice', role: 'status' }, h('strong', {}, 'Waiting for approval because:'), h('ul', {}, item.approval.reasons.map((r) => h('li', {}, r.message))))
      : null,
    item.decision && item.decision.kind !== 'auto-approved' ? h('p', {}, `${item.decision.kind === 'approved' ? 'Approved' : 'Rejected'} by ${item.decision.by}, ${when(item.decision.at)}${item.decision.comment ? `: “${item.decision.comment}”` : ''}`) : null,
  );
}

function drawActions(context: Context, item: ImportView, actions: HTMLElement, done: () => void): void {
  const problem = h('div', { role: 'alert' });
  const act = (state: string, comment?: string) => async (): Promise<void> => {
    try {
      await context.api.send('PATCH', `/v1/imports/${item.id}`, { state, ...(comment !== undefined ? { comment } : {}) });
      for (const button of actions.querySelectorAll('button')) button.disabled = true;
      done();
    } catch (error) {
      replace(problem, h('p', { class: 'notice error' }, error instanceof ApiError ? error.message : String(error)));
    }
  };
  const waiting = item.status === 'Waiting for Approval';
  const comment = h('textarea', { id: 'comment', rows: 2, cols: 50 });
  const buttons: (HTMLElement | null)[] = [];
  if (context.admin && item.state === 'PREVIEW_READY') {
    buttons.push(h('button', { type: 'button', class: 'primary', onclick: () => void act('IMPORT_PENDING', comment.value.trim() || undefined)() }, waiting ? 'Approve' : 'Import'));
    if (waiting) buttons.push(h('button', { type: 'button', class: 'danger', onclick: () => void act('CANCELLED', comment.value.trim() || undefined)() }, 'Reject'));
  }
  if (context.admin && item.state === 'DRAFT') buttons.push(h('button', { type: 'button', class: 'primary', onclick: () => void act('PREVIEW_PENDING')() }, 'Create preview'));
  if (context.admin && !FINAL.has(item.state) && !waiting) buttons.push(h('button', { type: 'button', class: 'danger', onclick: () => void act('CANCELLED')() }, 'Cancel import'));
  if (context.admin && item.state === 'FAILED') buttons.push(h('button', { type: 'button', onclick: () => void act('IMPORT_PENDING')() }, 'Retry'));
  const download = h('button', { type: 'button', onclick: () => void context.api.download(`/v1/imports/${item.id}/errors.csv`, `import-${item.id}-errors.csv`) }, 'Download errors.csv');
  replace(actions,
    context.admin && waiting ? h('div', { class: 'field' }, h('label', { for: 'comment' }, 'Comment (optional)'), comment) : null,
    h('div', { class: 'row' }, buttons, item.counts.error ? download : null),
    problem,
  );
}

function drawCards(item: ImportView, cards: HTMLElement): void {
  const labels: [keyof ImportView['counts'], string][] = [['create', 'Create'], ['update', 'Update'], ['unchanged', 'Unchanged'], ['deactivate', 'Deactivate'], ['delete', 'Delete'], ['error', 'Errors']];
  replace(cards, labels.map(([op, label]) => h('div', { class: 'card' }, h('span', { class: 'n' }, item.counts[op].toLocaleString()), label)));
}

function peopleTable(op: string, items: PreviewItem[]): HTMLElement {
  if (!items.length) return h('p', {}, `No one to ${op === 'unchanged' ? 'leave unchanged' : op}.`);
  return h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Line'), h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, op === 'update' ? 'Changes' : 'Fields'))),
    h('tbody', {}, items.map((item) =>
      h('tr', {},
        h('td', {}, item.line ?? '—'),
        h('td', {}, item.key),
        h('td', {}, op === 'update' ? diff(item.changes ?? {}) : fieldsText(item.fields ?? item.changes ?? {})),
      ))),
  );
}

function diff(changes: Record<string, { from: unknown; to: unknown }>): HTMLElement {
  return h('ul', {}, Object.entries(changes).map(([field, { from, to }]) =>
    h('li', { class: 'diff' }, h('strong', {}, field), ': ', h('del', {}, text(from)), ' → ', h('ins', {}, text(to)))));
}

function fieldsText(fields: Record<string, unknown>): string {
  return Object.entries(fields).filter(([, value]) => value !== null && value !== undefined).map(([field, value]) => `${field}: ${text(typeof value === 'object' && value && 'to' in value ? (value as { to: unknown }).to : value)}`).join(' · ');
}

function errorsTable(items: ErrorItem[]): HTMLElement {
  if (!items.length) return h('p', {}, 'No errors.');
  return h('table', {},
    h('thead', {}, h('tr', {}, ['Line', 'Column', 'Problem', 'Original line'].map((title) => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, items.map((item) => h('tr', {}, h('td', {}, item.line), h('td', {}, item.column ?? ''), h('td', {}, h('strong', {}, item.code), ' ', item.message), h('td', { class: 'raw' }, item.raw)))),
  );
}

function groupsList(items: unknown[]): HTMLElement {
  if (!items.length) return h('p', {}, 'No group changes.');
  return h('ul', {}, items.map((item) => h('li', {}, Object.values(item as object).filter((v) => v !== null).join(' · '))));
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
