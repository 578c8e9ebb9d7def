// Espruino's stand-in for src/sign/p256/inv.ts (targets/espruino/swaps.json): the same batched
// divsteps (variable time, for blinded or public values only), run by functions that a job makes at
// its first batch and drops when its inverse is out: p256-ram.ts's ramInv (see there for why RAM),
// or its flash copy when memory is short (as comb.ts chooses).
import { invStart, newInvJob as newBaseJob, type InvJob as BaseJob } from '../../src/sign/p256/inv';
import { newFe } from '../../src/sign/p256/limbs';
import { ramFits } from './comb';
import { flashInv } from './p256-flash';
import { ramInv } from './p256-ram';

/** Variables the RAM copy takes over its flash copy's (166 against 93 measured: BENCHMARKS.md). */
const RAM_INV = 75;

export { invStart };

export interface InvJob extends BaseJob {
  k?: ((job: InvJob, out: Int32Array, batches: number) => boolean) | null;
  /** 2 while the flash copy runs (slower: half as many batches in a slice), else 1 */
  w?: number;
}

export const newInvJob = newBaseJob as (m: Int32Array, mPrime: number, fe?: () => Int32Array) => InvJob;

/** Runs up to `batches` batches of 22 divsteps; true when done, with x^-1 mod m (in [0, m)) in `out`. */
export function invRun(job: InvJob, out: Int32Array, batches: number): boolean {
  if (!job.k) {
    const ram = ramFits(RAM_INV);
    job.k = (ram ? ramInv : flashInv)(); // (as a value: not inlined, see comb.ts)
    job.w = ram ? 1 : 2;
  }
  if (!job.k(job, out, batches / (job.w as number))) return false;
  job.k = null;
  return true;
}

/** out = x^-1 mod m in one go (variable time: public data or blinded values only). */
export function invVar(out: Int32Array, x: Int32Array, m: Int32Array, mPrime: number): void {
  const job = newInvJob(m, mPrime);
  invStart(job, x);
  while (!invRun(job, out, 100));
}
