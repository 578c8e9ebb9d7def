// HMAC (RFC 2104) over any 64-byte-block hash, so a target's native SHA-256 can drive RFC 6979.
import { concatBytes } from '../bytes';
import type { Hash } from './hash';

export function hmac(hash: Hash, key: Uint8Array, msg: Uint8Array): Uint8Array {
  const block = 64;
  let k = key.length > block ? hash(key) : key;
  const ipad = new Uint8Array(block);
  const opad = new Uint8Array(block);
  for (let i = 0; i < block; i++) {
    const b = i < k.length ? k[i] : 0;
    ipad[i] = b ^ 0x36;
    opad[i] = b ^ 0x5c;
  }
  k = new Uint8Array(0);
  return hash(concatBytes([opad, hash(concatBytes([ipad, msg]))]));
}
