// Where an ES256 signature's time goes in XS: the BigInt-free P-256 pieces timed one by one, for
// `npm run bench:moddable -- --parts` (scripts/bench/moddable.ts bundles this into a preloaded module,
// as the SDK's bundle is, with the comb table made at preload). Inputs are arbitrary limbs: the
// field code is constant time, so the values do not change the work.
import { sha256 } from '../../../../src/hash/sha256';
import { parsePrivateKey } from '../../../../src/keys';
import { p256Binding } from '../../../../src/sign/p256-binding';
import { combMul } from '../../../../src/sign/p256/comb';
import { fnMul } from '../../../../src/sign/p256/fn';
import { fpAdd, fpMul, fpSqr, fpSub, P } from '../../../../src/sign/p256/fp';
import { tableSelect } from '../../../../src/sign/p256/fp-gen';
import { invVar } from '../../../../src/sign/p256/inv';
import { combTable } from '../../../../src/sign/p256/keys';
import { newFe } from '../../../../src/sign/p256/limbs';
import { dropScratch, newPoint, pointAddMixed, pointDouble } from '../../../../src/sign/p256/point';
import { signSync } from '../../../../src/sign/signer';

const TABLE = combTable();
dropScratch();

/** ms per call of each step, timed with `now` (Time.ticks) over many calls after one warm-up. */
export function bench(EC: string, now: () => number): { [step: string]: number } {
  const out: { [step: string]: number } = {};
  const time = (name: string, n: number, f: () => void) => {
    f();
    const t0 = now();
    for (let i = 0; i < n; i++) f();
    out[name] = (now() - t0) / n;
  };
  const a = newFe();
  a[0] = 12345;
  a[3] = 777;
  const b = newFe();
  b[1] = 999;
  b[5] = 4242;
  const o = newFe();
  time('fpMul (field multiplication, unrolled)', 20000, () => fpMul(o, a, b));
  time('fpSqr', 20000, () => fpSqr(o, a));
  time('fpAdd', 20000, () => fpAdd(o, a, b));
  time('fpSub', 20000, () => fpSub(o, a, b));
  time('fnMul (scalar multiplication, loop)', 20000, () => fnMul(o, a, b));
  time('tableSelect (constant-time lookup of 1 in 8)', 2000, () => tableSelect(o, a, TABLE, 0, 8, 3));
  const p = newPoint();
  p.x[0] = 5;
  p.y[0] = 7;
  p.z[0] = 1;
  time('pointDouble (3M + 5S)', 2000, () => pointDouble(p, p));
  time('pointAddMixed (8M + 3S)', 2000, () => pointAddMixed(p, p, a, b));
  const k = newFe();
  k[0] = 123456;
  k[9] = 99;
  time('combMul (k*G: 8 doublings, 64 lookups + mixed additions)', 50, () => combMul(p, k, TABLE));
  time('invVar mod p (one inversion)', 200, () => invVar(o, a, P, 1));
  const msg = new Uint8Array(200);
  time('sha256 of 200 bytes', 500, () => sha256(msg));
  const signer = p256Binding({ table: () => TABLE, hash: sha256 }).createSigner(parsePrivateKey(EC));
  time('whole signature (signSync, no JWT)', 50, () => signSync(signer, msg));
  return out;
}
