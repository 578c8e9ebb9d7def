// The Signer contract: every signature is a job of bounded steps, so a slow engine can yield
// between them (timer-driven) and a fast one just runs the steps back to back.
import { fail } from '../errors';

/** The JWT algorithms the platform accepts. */
export type Alg = 'ES256' | 'RS256';

/** Refuses an unknown `wanted` alg, or one that is not the key's (`what` names the key in the message). */
export function checkAlg(actual: Alg, wanted: Alg | undefined, what: string): void {
  if (wanted !== undefined && wanted !== 'ES256' && wanted !== 'RS256')
    fail('ALG_UNSUPPORTED', 'alg ' + JSON.stringify(wanted) + ' is not supported; use ES256 or RS256');
  if (wanted && wanted !== actual)
    fail('ALG_MISMATCH', what + ' holds ' + (actual === 'ES256' ? 'an EC P-256' : 'an RSA') + ' key (' + actual + '), not ' + wanted);
}

/** One step of a signing job: does a bounded slice of work; returns the signature when done, else null. @inline */
export type SignStep = () => Uint8Array | null;

/** A signing job factory: each signature runs in bounded steps, so a slow engine can yield between them. */
export interface Signer {
  /** The JWT alg this signer produces. */
  readonly alg: Alg;
  /** Starts signing `message` (the JWS signing input; the signer hashes it). */
  start(message: Uint8Array): SignStep;
}

/** Runs a job to completion without yielding. */
export function signSync(signer: Signer, message: Uint8Array): Uint8Array {
  const step = signer.start(message);
  for (;;) {
    const sig = step();
    if (sig) return sig;
  }
}

/** Runs `fn` on a later turn of the event loop. @inline */
export type Defer = (fn: () => void) => void;

/**
 * Runs a job one step per turn of the event loop (`defer` is the target's setTimeout(fn, 0) or
 * equivalent). The callback is never called from inside this call.
 */
export function signSliced(
  signer: Signer,
  message: Uint8Array,
  defer: Defer,
  cb: (err: Error | null, sig?: Uint8Array) => void,
): void {
  let step: SignStep;
  const run = (): void => {
    let sig: Uint8Array | null;
    try {
      if (!step) {
        // starting a job (its allocations) is a turn of its own: the first turn may be a microtask
        // right after the caller's own work, and on Espruino both together took over 50 ms
        step = signer.start(message);
        sig = null;
      } else sig = step();
    } catch (e) {
      cb(e as Error);
      return;
    }
    if (sig) cb(null, sig);
    else defer(run);
  };
  defer(run);
}
