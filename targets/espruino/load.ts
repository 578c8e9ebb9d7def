// Runs code from a Storage module of this SDK (akenza-sign, akenza-keys) and releases the module:
// it leaves the module cache at once, so its variables come back when nothing made by it is in use.
import { fail, OPTION_INVALID } from '../../src/errors';

export function withModule<M, T>(name: string, fn: (m: M) => T): T {
  let m: M;
  try {
    m = require(name) as M;
  } catch (e) {
    if (!require('Storage').read(name)) fail(OPTION_INVALID, 'Storage file ' + name + ' is missing: upload dist/espruino/' + name + '.js as ' + name + ' (see the README)');
    throw e;
  }
  try {
    return fn(m);
  } finally {
    Modules.removeCached(name);
  }
}
