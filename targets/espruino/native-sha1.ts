// Build-time stand-in for src/hash/sha1.ts in the Espruino bundle: the native crypto.SHA1.
import type { Hash } from '../../src/hash/hash';

export const sha1: Hash = (m) => new Uint8Array(require('crypto').SHA1(m));
