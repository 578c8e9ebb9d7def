// The TypeScript sources the structure tests read: every .ts file under src/ and targets/.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/** Every .ts file (declaration files included) under `dir`, as absolute paths, sorted. */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
    });
}

/** A path relative to the checkout, with forward slashes, as the tests print it. */
export const rel = (p: string): string => relative(ROOT, p).split('\\').join('/');
