// Runs code from a Storage module of this SDK (akenza-sign, akenza-keys) and releases the module:
// it leaves Espruino's module cache at once and is held here while in use (uses that overlap share
// one copy), so its variables come back when the last use ends and nothing made by it is kept.
import { fail, OPTION_INVALID } from '../../src/errors';

const live: { [name: string]: { m: unknown; uses: number } } = {};

/** The module, loaded if no use holds it; every acquire() needs its release(). */
export function acquire<M>(name: string): M {
  let l = live[name];
  if (!l) {
    let m: unknown;
    try {
      m = require(name);
    } catch (e) {
      if (!require('Storage').read(name)) fail(OPTION_INVALID, 'Storage file ' + name + ' is missing: upload dist/espruino/' + name + '.js as ' + name + ' (see the README)');
      throw e;
    }
    Modules.removeCached(name);
    l = live[name] = { m, uses: 0 };
  }
  l.uses++;
  return l.m as M;
}

export function release(name: string): void {
  const l = live[name];
  if (l && !--l.uses) delete live[name];
}

export function withModule<M, T>(name: string, fn: (m: M) => T): T {
  const m = acquire<M>(name);
  try {
    return fn(m);
  } finally {
    release(name);
  }
}

/** As withModule, but held until the current code has run (a promise reaction), so the calls of one
 *  turn (createDevice's parse, public key and kid) share one load. */
export function withModuleThisTurn<M, T>(name: string, fn: (m: M) => T): T {
  const m = acquire<M>(name);
  try {
    return fn(m);
  } finally {
    Promise.resolve().then(() => release(name));
  }
}
