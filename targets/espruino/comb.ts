// Espruino's stand-in for src/sign/p256/comb.ts (targets/espruino/swaps.json): the same comb, table
// and recoding, with each part run by the kernels of ./p256-ram.ts: their RAM copy when there is
// room, else their flash copy (./p256-flash.ts). A job makes its kernels at its first part and drops
// them at its last, so they take variables only while a k*G runs.
import { combStart, newCombJob as newBaseJob, type CombJob as BaseJob, type CombTable } from '../../src/sign/p256/comb';
import { copyPoint, type JPoint } from '../../src/sign/p256/point';
import { flashKernels } from './p256-flash';
import { ramKernels, type RamKernels } from './p256-ram';

export { basePoint, combStart, computeCombTableBytes, loadCombTable, COLS, TABLE_BYTES, TABLE_POINTS, TABLES, TEETH, type CombTable } from '../../src/sign/p256/comb';

export interface CombJob extends BaseJob {
  k?: RamKernels | null;
}

/** Variables the RAM kernels take over their flash copy's (362 against 203 measured, BENCHMARKS.md;
 *  328 for the RAM ones since the k p subtraction). */
const RAM_COMB = 160;

declare const process: { memory?: (gc?: boolean) => { free: number } } | undefined;

/** Variables left free beside the RAM kernels, else the flash copy runs (a token ~2x the CPU): the
 *  k*G is the mint's peak, and the application runs on meanwhile (~0.3 s of turns): its timers,
 *  publishes (a held message ~67 variables, BENCHMARKS.md), an incoming packet. On a 3,400 pool
 *  with the device connected, a refresh's k*G finds ~1,500 free (the mint runs in stages: only its
 *  job and akenza-comb are loaded) and takes the RAM copy; at 2,500, the flash copy. */
const MARGIN = 600;

/** Whether `need` more variables (RAM kernels over their flash copies) leave MARGIN free: without a
 *  garbage collection first, then after one. Elsewhere (Node, the Espruino-profile harness): true. */
export function ramFits(need: number): boolean {
  if (typeof process === 'undefined' || !process.memory) return true;
  return process.memory(false).free - need >= MARGIN || process.memory().free - need >= MARGIN;
}

export const newCombJob = newBaseJob as (fe?: () => Int32Array) => CombJob;

/** As comb.ts combPart: one doubling, or one table's lookup and mixed addition. */
export function combPart(job: CombJob, table: CombTable): boolean {
  if (job.col < 0) return true;
  if (!job.k) {
    const ram = ramFits(RAM_COMB);
    // (called as a value: the minifier would inline a factory called once into combPart, whose
    // every call then reads past the factory's text: +10% a token measured)
    job.k = (ram ? ramKernels : flashKernels)();
    job.w = ram ? 1 : 2; // a flash part takes ~2.3x as long: half as many in a slice (turns within 50 ms)
  }
  if (!job.k.part(job, table)) return false;
  job.k = null;
  return true;
}

/** The rest of the current column. */
export function combStep(job: CombJob, table: CombTable): boolean {
  const c = job.col;
  while (!combPart(job, table) && job.col === c);
  return job.col < 0;
}

/** k*G in one go (Jacobian), for a plain scalar 0 < k < n. */
export function combMul(out: JPoint, k: Int32Array, table: CombTable): void {
  const job = newCombJob();
  combStart(job, k);
  while (!combPart(job, table));
  copyPoint(out, job.r);
}
