// Build-time stand-in for src/device/fallback.ts in the Espruino core: the fallback machinery and its
// transports are Storage module akenza-fallback, loaded for an outage of a device with a `fallback`
// list (src/device/outage.ts) and not cached: once the device drops its fallback the module's
// variables are free again, and a device without a list never loads it.
import { fail, OPTION_INVALID } from '../../src/errors';
import type { createFallback as full } from '../../src/device/fallback';

export const createFallback: typeof full = (c) => {
  let m: { createFallback: typeof full } | null = null;
  try {
    m = require('akenza-fallback') as { createFallback: typeof full };
  } catch (e) {}
  Modules.removeCached('akenza-fallback'); // (the fallback made below keeps what it uses)
  if (!m) return fail(OPTION_INVALID, 'Storage file akenza-fallback is missing: upload dist/espruino/akenza-fallback.js as akenza-fallback (see the README)');
  return (m as { createFallback: typeof full }).createFallback(c);
};
