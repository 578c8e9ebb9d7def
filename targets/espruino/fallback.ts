// Build-time stand-in for src/device/fallback.ts in the Espruino bundle: the target registers no
// HTTP/CoAP/UDP uplinks, so the fallback machinery stays out and a `fallback` list is refused.
import { fail, OPTION_INVALID } from '../../src/errors';
import type { createFallback as full } from '../../src/device/fallback';

// createDevice calls it only when `fallback` is non-empty.
export const createFallback: typeof full = () => fail(OPTION_INVALID, 'fallback transports are not in the Espruino bundle');
