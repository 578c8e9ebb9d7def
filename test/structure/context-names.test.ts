// The device bundles shorten every property whose name ends in '_' (scripts/build.mjs): safe only
// while those are the device context's own fields, which no host object or stored record shares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rel, ROOT, tsFiles } from './sources';

const context = readFileSync(join(ROOT, 'src/device/context.ts'), 'utf8');
const iface = context.slice(context.indexOf('export interface DeviceContext'));
const fields = iface.slice(0, iface.indexOf('\n}\n')).match(/^ {2}[A-Za-z]\w*_(?=\??[:(])/gm)!.map((f) => f.trim());

describe('shortened property names', () => {
  it('every DeviceContext field ends in _', () => {
    expect(fields.length).toBeGreaterThan(30);
    const all = iface.slice(0, iface.indexOf('\n}\n')).match(/^ {2}[A-Za-z]\w*(?=\??[:(])/gm)!.map((f) => f.trim());
    expect(all.filter((f) => !f.endsWith('_'))).toEqual([]);
  });
  it('no other property under src/ or targets/ ends in _', () => {
    const others: string[] = [];
    for (const file of tsFiles(join(ROOT, 'src')).concat(tsFiles(join(ROOT, 'targets')))) {
      const text = readFileSync(file, 'utf8');
      // `.name_` (a property read) or `name_:` / `name_?:` (a key or a member) outside a ternary
      for (const m of text.matchAll(/(\.|[{,(]\s*|^\s*)([A-Za-z]\w*_)(?=\??:|\b)/gm)) {
        const isProp = m[1] === '.' || /^\??:/.test(text.slice(m.index! + m[0].length));
        if (isProp && !fields.includes(m[2])) others.push(rel(file) + ': ' + m[2]);
      }
    }
    expect(others).toEqual([]);
  });
});
