import type { Api, Me } from './api.js';

/** What every page gets: the API with the signed-in key, and who that key is. */
export interface Context {
  api: Api;
  me: Me;
  admin: boolean;
  /** Goes to a route (`#/imports/…`). */
  go(route: string): void;
}

/** A page draws itself into `main` and returns how to stop (timers), called when the route changes. */
export type Page = (context: Context, main: HTMLElement, params: string[]) => (() => void) | void;

/** Polls `tick` every `ms` while the page is shown; the returned function stops it. */
export function every(ms: number, tick: () => Promise<boolean | void>): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async (): Promise<void> => {
    if (stopped) return;
    const more = await tick().catch(() => true);
    if (!stopped && more !== false) timer = setTimeout(() => void loop(), ms);
  };
  void loop();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
