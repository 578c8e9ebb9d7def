// Build-time stand-in for src/sign/p256-binding.ts in the Espruino core (targets/espruino/modules.json):
// a signer that keeps only the parsed key and runs each signature as a MintJob (mint.ts) whose
// stages run in Storage modules loaded for the stage and released after (akenza-nonce the nonce,
// akenza-comb the k*G, akenza-r and akenza-s the signature's two halves), each load a turn of its own;
// akenza-sign serves the public key of a private one (and key generation: lazy-keypair.ts).
import { fail } from '../../src/errors';
import type { PrivateKey } from '../../src/keys/types';
import type { SignerBinding } from '../../src/platform';
import type { P256BindingOptions } from '../../src/sign/p256-binding';
import type { generateKeyPairFromTable, publicKeyFromTable } from '../../src/sign/p256/keypair';
import type { Signer, SignStep } from '../../src/sign/signer';
import { acquire, release, withModule } from './load';
import type { MintJob } from './mint';

/** What a stage module exports. */
interface StageModule {
  /** Runs the job for a turn; true when the module's stage is done. */
  mint(j: MintJob): boolean;
}

/** What the akenza-sign module exports (targets/espruino/sign-module.ts). */
export interface SignModule {
  publicKeyFromTable: typeof publicKeyFromTable;
  generateKeyPairFromTable: typeof generateKeyPairFromTable;
}

declare const process: { memory?: () => { free: number } } | undefined;

/** Variables a mint takes over the device's idle (its largest stage, the k*G, with its module and
 *  job: ~485-560 measured, BENCHMARKS.md) and those it must leave free for the application (a
 *  WiFi-connected ESP32 has ~3,400 in all). */
const MINT_VARS = 600;
const RESERVE = 1000;

/** SignerBinding.fitsNow, after a garbage collection (a few ms, once per refresh); also called when a
 *  mint ends, for that collection. True where there is no process.memory (the Espruino-profile harness). */
function fitsNow(): boolean {
  return typeof process === 'undefined' || !process.memory || process.memory().free >= MINT_VARS + RESERVE;
}

export function p256Binding(o: P256BindingOptions): SignerBinding {
  return {
    createSigner(key: PrivateKey): Signer {
      if (key.kty === 'RSA') return o.rs256 ? o.rs256(key) : fail('ALG_UNSUPPORTED', 'RSA keys (RS256) need native big integers, which this engine lacks: use an ES256 (P-256) key');
      let k = key;
      return {
        alg: 'ES256',
        start(message: Uint8Array): SignStep {
          const j = { n: 'akenza-nonce', msg: message, d: k.d, pub: k.publicKey, o: o, ph: 0 } as MintJob;
          let m: StageModule | null = null;
          let name = '';
          return () => {
            try {
              // a stage's module loads in a turn of its own (about 15 ms), then runs its turns
              if (!m) m = acquire<StageModule>((name = j.n));
              else if (m.mint(j)) {
                release(name);
                m = null;
              }
            } catch (e) {
              // the module released (inline: a closure costs ~10 variables)
              if (m) release(name);
              m = null;
              throw e;
            }
            if (j.sig) {
              // collect the mint's garbage now (a few ms): the connect that follows a refresh's
              // mint would otherwise meet a full pool (the idle-time collection needs 10 ms idle)
              fitsNow();
              // the stored public point was checked by this signature: later ones skip the check
              k = { kty: 'EC', alg: 'ES256', d: k.d };
            }
            return j.sig;
          };
        },
      };
    },
    ecPublicKey: (d) => withModule('akenza-sign', (m: SignModule) => m.publicKeyFromTable(d, o.table())),
    fitsNow,
  };
}
