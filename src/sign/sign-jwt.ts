// signJwt(): the one-call token minter each entry exports, bound to that target's signer factory.
// Parsed keys and their signers are cached per key input, so repeated mints cost one signature.
import { fail, OPTION_INVALID } from '../errors';
import { fingerprint, ecSpki, parsePrivateKey, publicKeyOf, type PrivateKey, type PrivateKeyInput, type PublicKey } from '../keys';
import { mintJwtPromise, type JwtClaimsOptions } from '../jwt';
import type { SignerBinding } from '../platform';
import { checkAlg, type Alg, type Signer } from './signer';

/** Options of signJwt: the key and the claim options. */
export interface SignJwtOptions extends Omit<JwtClaimsOptions, 'kid'> {
  /** PEM, DER, a raw P-256 scalar, or a parsed key. */
  privateKey: PrivateKeyInput;
  /** Must match the key when given; inferred from the key otherwise. */
  alg?: Alg;
  /** A fingerprint, or 'auto' for the documented default fingerprint of the key's SPKI. */
  kid?: string;
}

interface Entry {
  input: PrivateKeyInput;
  key: PrivateKey;
  signer: Signer;
  kid?: string;
}

const CACHE_SIZE = 8;

export function publicKeyFor(key: PrivateKey, binding: SignerBinding): PublicKey {
  const pub = publicKeyOf(key);
  if (pub) return pub;
  const point = binding.ecPublicKey(key.d as Uint8Array);
  return { kty: 'EC', alg: 'ES256', format: 'spki', spki: ecSpki(point), point };
}

/** signJwt's signature, named so each entry's declaration spells it out (inferred, it was an import of the entry's own folder). @inline */
export type SignJwt = (o: SignJwtOptions, cb?: (err: Error | null, token?: string) => void) => Promise<string>;

export function makeSignJwt(binding: SignerBinding): SignJwt {
  let cache: Entry[] = [];
  function entryFor(input: PrivateKeyInput, alg: Alg | undefined): Entry {
    for (let i = 0; i < cache.length; i++) {
      const e = cache[i];
      if (e.input === input) {
        // the key was parsed when cached: only the alg is checked (on Espruino parsing loads akenza-keys)
        checkAlg(e.key.alg, alg, 'the private key');
        return e;
      }
    }
    const key = parsePrivateKey(input, alg);
    const entry: Entry = { input, key, signer: binding.createSigner(key) };
    cache = [entry].concat(cache.slice(0, CACHE_SIZE - 1));
    return entry;
  }
  return function signJwt(o: SignJwtOptions, cb?: (err: Error | null, token?: string) => void): Promise<string> {
    let entry: Entry;
    let kid = o ? o.kid : undefined;
    try {
      if (!o || o.privateKey === undefined) fail(OPTION_INVALID, 'privateKey is required');
      entry = entryFor(o.privateKey, o.alg);
      if (kid === 'auto') {
        if (!entry.kid) entry.kid = fingerprint(publicKeyFor(entry.key, binding));
        kid = entry.kid;
      }
    } catch (e) {
      const p = Promise.reject(e as Error);
      if (cb) p.then(undefined, (err: Error) => cb(err));
      return p;
    }
    const claims: JwtClaimsOptions = {
      deviceId: o.deviceId, audienceBase: o.audienceBase, lifetimeS: o.lifetimeS,
      iatBackdateS: o.iatBackdateS, now: o.now, claims: o.claims, kid,
    };
    return mintJwtPromise(entry.signer, claims, cb);
  };
}
