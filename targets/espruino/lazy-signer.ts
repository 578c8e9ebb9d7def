// Build-time stand-in for src/sign/p256-binding.ts in the Espruino core (targets/espruino/modules.json):
// a signer that keeps only the parsed key and loads the akenza-sign Storage module for each
// signature (released when the signature is done), each stage in a turn of its own.
import { fail } from '../../src/errors';
import type { PrivateKey } from '../../src/keys/types';
import type { SignerBinding } from '../../src/platform';
import type { P256BindingOptions } from '../../src/sign/p256-binding';
import type { generateKeyPairFromTable } from '../../src/sign/p256/keypair';
import type { Signer, SignStep } from '../../src/sign/signer';
import { acquire, release, withModule } from './load';

/** What the akenza-sign module exports (targets/espruino/sign-module.ts). */
export interface SignModule {
  p256Binding(o: P256BindingOptions): SignerBinding;
  generateKeyPairFromTable: typeof generateKeyPairFromTable;
}

const SIGN = 'akenza-sign';

declare const process: { memory?: () => { free: number } } | undefined;

/** Variables a mint takes (akenza-sign, its job and kernels: ~1,090 measured, BENCHMARKS.md) and those
 *  it must leave free for the application (a WiFi-connected ESP32 has ~3,400 in all). */
const MINT_VARS = 1100;
const RESERVE = 1000;

/** SignerBinding.fitsNow, after a garbage collection (a few ms, once per refresh); also called when a
 *  mint ends, for that collection. True where there is no process.memory (the Espruino-profile harness). */
function fitsNow(): boolean {
  return typeof process === 'undefined' || !process.memory || process.memory().free >= MINT_VARS + RESERVE;
}
const inSign = <T>(fn: (m: SignModule) => T): T => withModule(SIGN, fn);

export function p256Binding(o: P256BindingOptions): SignerBinding {
  return {
    createSigner(key: PrivateKey): Signer {
      if (key.kty === 'RSA') return o.rs256 ? o.rs256(key) : fail('ALG_UNSUPPORTED', 'RSA keys (RS256) need native big integers, which this engine lacks: use an ES256 (P-256) key');
      let k = key;
      return {
        alg: 'ES256',
        start(message: Uint8Array): SignStep {
          // each stage a turn (about 15 ms each here): load, make the signer, start the job, its steps
          let m: SignModule | null = null;
          let signer: Signer | null = null;
          let step: SignStep | null = null;
          return () => {
            let sig: Uint8Array | null = null;
            try {
              if (!m) m = acquire<SignModule>(SIGN);
              else if (!signer) signer = m.p256Binding(o).createSigner(k);
              else if (!step) step = signer.start(message);
              else sig = step();
            } catch (e) {
              // the module released, the signer and its job dropped (inline: a closure costs ~10 variables)
              if (m) release(SIGN);
              m = signer = step = null;
              throw e;
            }
            if (sig) {
              release(SIGN);
              m = signer = step = null;
              // collect the mint's garbage now (~1,000 variables, a few ms): the connect that follows
              // a refresh's mint would otherwise meet a full pool (the idle-time collection needs 10 ms idle)
              fitsNow();
              // the stored public point was checked by this signature: later ones skip the check
              k = { kty: 'EC', alg: 'ES256', d: k.d };
            }
            return sig;
          };
        },
      };
    },
    ecPublicKey: (d) => inSign((m) => m.p256Binding(o).ecPublicKey(d)),
    fitsNow,
  };
}
