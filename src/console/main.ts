import { Api, ApiError, type Me } from './api.js';
import type { Context, Page } from './context.js';
import { h, replace } from './dom.js';
import { importPage } from './import-page.js';
import { importsPage } from './imports-page.js';
import { newImportPage } from './new-import-page.js';
import { groupsPage, peoplePage, personPage } from './people-pages.js';
import { profilesPage, schedulesPage, sourcesPage } from './setup-pages.js';

const KEY = 'rostersync.key';
const ROUTES: [RegExp, Page, string][] = [
  [/^#\/people$/, peoplePage, 'People'],
  [/^#\/people\/(.+)$/, personPage, 'Person'],
  [/^#\/groups(?:\/(.+))?$/, groupsPage, 'Groups'],
  [/^#\/sources$/, sourcesPage, 'Sources'],
  [/^#\/profiles$/, profilesPage, 'Profiles'],
  [/^#\/schedules$/, schedulesPage, 'Schedules'],
  [/^#\/imports\/new$/, newImportPage, 'New import'],
  [/^#\/imports\/([0-9a-f-]{36})$/, importPage, 'Import'],
  [/^#\/(imports)?$/, importsPage, 'Imports'],
];

const main = document.getElementById('main')!;
const bar = document.getElementById('bar')!;
let stop: (() => void) | void;

/** Signs in with a key kept for this browser session only (sessionStorage), then shows the route. */
async function start(): Promise<void> {
  const key = sessionStorage.getItem(KEY);
  if (!key) return signIn();
  const api = new Api(key);
  let me: Me;
  try {
    me = await api.get<Me>('/v1/me');
  } catch (error) {
    sessionStorage.removeItem(KEY);
    return signIn(error instanceof ApiError && error.status === 401 ? 'That key was not accepted.' : `Cannot reach the API: ${(error as Error).message}`);
  }
  const context: Context = { api, me, admin: me.key.role === 'admin', go: (route) => (location.hash = route) };
  replace(
    bar,
    h('span', { class: 'brand' }, 'rostersync'),
    h('nav', { 'aria-label': 'Main' },
      h('a', { href: '#/imports' }, 'Imports'), context.admin && h('a', { href: '#/imports/new' }, 'New import'),
      h('a', { href: '#/people' }, 'People'), h('a', { href: '#/groups' }, 'Groups'),
      h('a', { href: '#/sources' }, 'Sources'), h('a', { href: '#/profiles' }, 'Profiles'), h('a', { href: '#/schedules' }, 'Schedules'),
    ),
    h('span', { class: 'who' },
      h('span', {}, 'Workspace ', h('strong', { id: 'workspace' }, me.workspace.name)),
      h('span', {}, 'Key ', h('strong', {}, me.key.name), ' (', h('span', { id: 'role' }, me.key.role), ')'),
      h('button', { type: 'button', onclick: () => { sessionStorage.removeItem(KEY); location.hash = ''; void start(); } }, 'Sign out'),
    ),
  );
  const show = (): void => {
    if (stop) stop();
    const route = ROUTES.find(([pattern]) => pattern.test(location.hash || '#/'));
    if (!route) return void (location.hash = '#/imports');
    const [pattern, page, title] = route;
    document.title = `${title} · rostersync`;
    replace(main);
    stop = page(context, main, (location.hash.match(pattern) ?? []).slice(1));
  };
  window.onhashchange = show;
  show();
}

function signIn(problem?: string): void {
  replace(bar, h('span', { class: 'brand' }, 'rostersync'));
  const input = h('input', { id: 'key', type: 'password', autocomplete: 'off', required: true, size: 48 });
  const form = h('form', {
    onsubmit: (event: Event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, input.value.trim());
      void start();
    },
  },
    h('div', { class: 'field' }, h('label', { for: 'key' }, 'API key'), input),
    h('p', { class: 'muted' }, 'Kept for this browser session only. An admin key can import and approve; a viewer key can look.'),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  replace(main, h('h1', {}, 'Sign in'), problem && h('p', { class: 'notice error', role: 'alert' }, problem), form);
  input.focus();
}

void start();
