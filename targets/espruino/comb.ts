// Espruino's stand-in for src/sign/p256/comb.ts (targets/espruino/swaps.json): the same comb, table
// and recoding, with each part run by the RAM kernels of ./p256-ram.ts. A job makes its kernels at
// its first part and drops them at its last, so they take variables only while a k*G runs.
import { combStart, newCombJob as newBaseJob, type CombJob as BaseJob, type CombTable } from '../../src/sign/p256/comb';
import { copyPoint, type JPoint } from '../../src/sign/p256/point';
import { ramKernels, type RamKernels } from './p256-ram';

export { basePoint, combStart, computeCombTableBytes, loadCombTable, COLS, TABLE_BYTES, TABLE_POINTS, TABLES, TEETH, type CombTable } from '../../src/sign/p256/comb';

export interface CombJob extends BaseJob {
  k?: RamKernels | null;
}

export const newCombJob = newBaseJob as (fe?: () => Int32Array) => CombJob;

/** As comb.ts combPart: one doubling, or one table's lookup and mixed addition. */
export function combPart(job: CombJob, table: CombTable): boolean {
  if (job.col < 0) return true;
  if (!job.k) job.k = ramKernels();
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
