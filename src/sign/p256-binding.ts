// SignerBinding over the Number-only P-256 signer (src/sign/p256): ES256 on any engine, RS256 only
// where the target plugs in a big-integer signer. The comb table is fetched lazily (flash or computed).
import { equalBytes } from '../bytes';
import { fail, KEY_INVALID } from '../errors';
import type { Hash } from '../hash/hash';
import { noRsa, type RsaPrivateKey } from '../keys';
import type { SignerBinding } from '../platform';
import type { CombTable } from './p256/comb';
import { createP256SignerCore, type P256Costs } from './p256/ecdsa';
import { publicKeyFromTable } from './p256/keypair';
import type { Signer } from './signer';

export interface P256BindingOptions {
  table: () => CombTable;
  hash: Hash;
  /** RS256 for engines with native big integers; absent: RSA keys are refused with ALG_UNSUPPORTED. */
  rs256?: (key: RsaPrivateKey) => Signer;
  /** RFC 6979 extra entropy per signature (hardware RNG); the nonce stays safe if it is weak. */
  extraEntropy?: () => Uint8Array;
  /** Work per signing step (ecdsa.ts sliceBudget); default 150. */
  sliceBudget?: number;
  /** Work units of the parts (ecdsa.ts costs), with sliceBudget. */
  costs?: P256Costs;
  /**
   * Check a key's stored public point inside the first signing job, in its bounded steps, instead
   * of with a whole scalar multiplication when the signer is made (2.6 s in one piece on
   * Espruino); a mismatch then fails the first signature with KEY_INVALID.
   */
  checkKeyInJob?: boolean;
}

export function p256Binding(o: P256BindingOptions): SignerBinding {
  const ecPublicKey = (d: Uint8Array) => publicKeyFromTable(d, o.table());
  return {
    createSigner(key) {
      if (key.kty === 'RSA') return o.rs256 ? o.rs256(key) : noRsa();
      const stored = key.publicKey && key.publicKey.length === 65 ? key.publicKey : undefined;
      if (stored && !o.checkKeyInJob && !equalBytes(ecPublicKey(key.d), stored))
        fail(KEY_INVALID, 'the public key stored with the EC private key does not match it');
      return createP256SignerCore({
        privateKey: key.d, table: o.table(), hash: o.hash, extraEntropy: o.extraEntropy, sliceBudget: o.sliceBudget, costs: o.costs,
        publicKey: o.checkKeyInJob ? stored : undefined,
      });
    },
    ecPublicKey,
  };
}
