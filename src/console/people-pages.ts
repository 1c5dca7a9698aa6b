import type { Page } from './context.js';
import { h, replace, when } from './dom.js';

interface Person {
  externalId: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  title: string | null;
  department: string | null;
  location: string | null;
  phone: string | null;
  language: string | null;
  status: string;
  pending: boolean;
  managerExternalId: string | null;
  custom: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

interface PersonDetail extends Person {
  manager: PersonRef | null;
  directReports: PersonRef[];
  groups: string[];
}

interface PersonRef {
  externalId: string | null;
  email: string | null;
  displayName: string | null;
}

interface Change {
  importId: string;
  line: number | null;
  op: string;
  changes: Record<string, { from: unknown; to: unknown }> | null;
  group: string | null;
  at: string;
}

const PAGE_SIZE = 50;

const name = (p: PersonRef & Partial<Person>) => p.displayName || [p.firstName, p.lastName].filter(Boolean).join(' ') || p.email || p.externalId || '(no name)';
const keyOf = (p: PersonRef) => p.externalId ?? p.email ?? '';
const personLink = (p: PersonRef) => h('a', { href: `#/people/${encodeURIComponent(keyOf(p))}` }, name(p));

/** The directory: people with search and status and group filters, a page at a time. */
export const peoplePage: Page = (context, main) => {
  const q = h('input', { id: 'q', type: 'search', placeholder: 'name, e-mail or id', size: 28 });
  const status = h('select', { id: 'status-filter' }, [['', 'All'], ['active', 'Active'], ['deactivated', 'Deactivated']].map(([value, label]) => h('option', { value }, label)));
  const group = h('select', { id: 'group-filter' }, h('option', { value: '' }, 'All groups'));
  const body = h('tbody');
  const pager = h('div', { class: 'row' });
  let page = 1;
  replace(main,
    h('h1', {}, 'People'),
    h('form', { class: 'row', role: 'search', onsubmit: (event: Event) => { event.preventDefault(); page = 1; void load(); } },
      h('div', { class: 'field' }, h('label', { for: 'q' }, 'Search'), q),
      h('div', { class: 'field' }, h('label', { for: 'status-filter' }, 'Status'), status),
      h('div', { class: 'field' }, h('label', { for: 'group-filter' }, 'Group'), group),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary' }, 'Search')),
    ),
    h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'External id', 'E-mail', 'Department', 'Status'].map((t) => h('th', { scope: 'col' }, t)))), body),
    pager,
  );
  const load = async (): Promise<void> => {
    const params = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE) });
    if (q.value.trim()) params.set('q', q.value.trim());
    if (status.value) params.set('status', status.value);
    if (group.value) params.set('group', group.value);
    const result = await context.api.get<{ items: Person[]; total: number }>(`/v1/users?${params}`);
    replace(body, result.items.length
      ? result.items.map((p) => h('tr', {}, h('td', {}, personLink(p)), h('td', {}, p.externalId ?? ''), h('td', {}, p.email ?? ''), h('td', {}, p.department ?? ''), h('td', {}, p.status, p.pending ? ' (pending)' : '')))
      : h('tr', {}, h('td', { colspan: 5 }, 'No one matches.')));
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    replace(pager,
      h('span', {}, `${result.total.toLocaleString()} people · page ${page} of ${pages}`),
      h('button', { type: 'button', disabled: page <= 1, onclick: () => { page--; void load(); } }, 'Previous'),
      h('button', { type: 'button', disabled: page >= pages, onclick: () => { page++; void load(); } }, 'Next'),
    );
  };
  void context.api.get<{ items: { name: string }[] }>('/v1/groups?pageSize=500').then((groups) => group.append(...groups.items.map((g) => h('option', { value: g.name }, g.name))));
  void load();
};

/** One person: fields, manager, direct reports, groups, and every change imports made (which import, which line). */
export const personPage: Page = (context, main, [encoded]) => {
  const key = decodeURIComponent(encoded);
  void (async () => {
    const person = await context.api.get<PersonDetail>(`/v1/users/${encodeURIComponent(key)}`).catch(() => null);
    if (!person) return replace(main, h('h1', {}, 'Not found'), h('p', {}, `No person with the key ${key}.`));
    const history = await context.api.get<{ items: Change[] }>(`/v1/users/${encodeURIComponent(key)}/history?pageSize=100`);
    const fields: [string, unknown][] = [
      ['External id', person.externalId], ['E-mail', person.email], ['First name', person.firstName], ['Last name', person.lastName],
      ['Title', person.title], ['Department', person.department], ['Location', person.location], ['Phone', person.phone], ['Language', person.language],
      ['Status', `${person.status}${person.pending ? ' (pending invitation)' : ''}`],
      ...Object.entries(person.custom ?? {}).map(([k, v]) => [`${k} (custom)`, v] as [string, unknown]),
    ];
    replace(main,
      h('h1', {}, name(person)),
      h('dl', { class: 'fields' }, fields.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
      h('h2', {}, 'Manager'), person.manager ? h('p', {}, personLink(person.manager)) : h('p', { class: 'muted' }, 'None.'),
      h('h2', {}, 'Direct reports'), person.directReports.length ? h('ul', {}, person.directReports.map((r) => h('li', {}, personLink(r)))) : h('p', { class: 'muted' }, 'None.'),
      h('h2', {}, 'Groups'), person.groups.length ? h('ul', {}, person.groups.map((g) => h('li', {}, h('a', { href: `#/groups/${encodeURIComponent(g)}` }, g)))) : h('p', { class: 'muted' }, 'None.'),
      h('h2', {}, 'History'),
      h('table', {},
        h('thead', {}, h('tr', {}, ['When', 'Import', 'Line', 'Change'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, history.items.map((c) => h('tr', {},
          h('td', {}, when(c.at)),
          h('td', {}, h('a', { href: `#/imports/${c.importId}` }, c.importId.slice(0, 8))),
          h('td', {}, c.line ?? '—'),
          h('td', {}, c.group ? `${c.op} group ${c.group}` : h('span', {}, h('strong', {}, c.op), c.changes ? ' ' : '', c.changes ? Object.entries(c.changes).map(([f, { from, to }]) => h('span', { class: 'diff' }, `${f}: `, h('del', {}, show(from)), ' → ', h('ins', {}, show(to)), '; ')) : '')),
        ))),
      ),
    );
  })();
};

/** Groups with their member counts; one group's members. */
export const groupsPage: Page = (context, main, [encoded]) => {
  void (async () => {
    if (encoded) {
      const group = decodeURIComponent(encoded);
      const members = await context.api.get<{ items: Person[]; total: number }>(`/v1/groups/${encodeURIComponent(group)}/members?pageSize=500`).catch(() => null);
      if (!members) return replace(main, h('h1', {}, 'Not found'), h('p', {}, `No group ${group}.`));
      return replace(main, h('h1', {}, `Group ${group}`), h('p', {}, `${members.total} members`), h('ul', {}, members.items.map((p) => h('li', {}, personLink(p)))));
    }
    const groups = await context.api.get<{ items: { name: string; members: number }[] }>('/v1/groups?pageSize=500');
    replace(main, h('h1', {}, 'Groups'),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Group'), h('th', { scope: 'col' }, 'Members'))),
        h('tbody', {}, groups.items.map((g) => h('tr', {}, h('td', {}, h('a', { href: `#/groups/${encodeURIComponent(g.name)}` }, g.name)), h('td', {}, g.members))))));
  })();
};

function show(value: unknown): string {
  return value === null || value === undefined || value === '' ? '(empty)' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
