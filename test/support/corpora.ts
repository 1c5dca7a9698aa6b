import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/corpora beside the checkout: external test data, read in place, never copied. */
export const CORPORA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpora');

export function corpus(...parts: string[]): string {
  return path.join(CORPORA, ...parts);
}
