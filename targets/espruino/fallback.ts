// Build-time stand-in for src/device/fallback.ts in the Espruino core: the fallback machinery and its
// transports are Storage module akenza-fallback, loaded (and kept) only when createDevice is given a
// `fallback` list, so a device without one pays nothing for them.
import { fail, OPTION_INVALID } from '../../src/errors';
import type { createFallback as full } from '../../src/device/fallback';

export const createFallback: typeof full = (c) => {
  let m: { createFallback: typeof full } | null = null;
  try {
    m = require('akenza-fallback') as { createFallback: typeof full };
  } catch (e) {}
  if (!m) return fail(OPTION_INVALID, 'Storage file akenza-fallback is missing: upload dist/espruino/akenza-fallback.js as akenza-fallback (see the README)');
  return (m as { createFallback: typeof full }).createFallback(c);
};
