// Build-time stand-in for src/hash/sha256.ts in the Espruino bundle: the native crypto.SHA256.
import type { Hash } from '../../src/hash/hash';

export const sha256: Hash = (m) => new Uint8Array(require('crypto').SHA256(m));
