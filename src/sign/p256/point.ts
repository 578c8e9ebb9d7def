// P-256 points in Jacobian coordinates (X/Z^2, Y/Z^3, Montgomery-form limbs), a = -3.
// Doubling and mixed addition are branch-free (used with secrets); the general addition checks
// its exceptional cases with branches and is for public data only (verify, table building).
import { FP_B, FP_ONE, fpAdd, fpInv, fpMul, fpSqr, fpSub, fpToPlain } from './fp';
import { newFe, zeroMask } from './limbs';

export interface JPoint {
  x: Int32Array;
  y: Int32Array;
  z: Int32Array; // z = 0: the point at infinity
}

export function newPoint(): JPoint {
  return { x: newFe(), y: newFe(), z: newFe() };
}

export function copyPoint(o: JPoint, a: JPoint): void {
  o.x.set(a.x);
  o.y.set(a.y);
  o.z.set(a.z);
}

// Scratch registers, shared (signing is single-threaded JS; nothing here is re-entrant). Made at
// first use, not at module level: Moddable's preload would put them in ROM, read-only.
let t0: Int32Array, t1: Int32Array, t2: Int32Array, t3: Int32Array, t4: Int32Array, t5: Int32Array;
let made = false;
/**
 * Forgets the scratch registers (made again at next use). For work done while Moddable preloads
 * the module (the comb table): arrays made then are read-only at run time.
 */
export function dropScratch(): void {
  made = false;
}
function scratch(): void {
  made = true;
  t0 = newFe();
  t1 = newFe();
  t2 = newFe();
  t3 = newFe();
  t4 = newFe();
  t5 = newFe();
}

/** o = 2a (dbl-2001-b, 3M + 5S). Infinity (z = 0) stays infinity. o may alias a. */
export function pointDouble(o: JPoint, a: JPoint): void {
  if (!made) scratch();
  const delta = t0;
  const gamma = t1;
  const beta = t2;
  const alpha = t3;
  fpSqr(delta, a.z);
  fpSqr(gamma, a.y);
  fpMul(beta, a.x, gamma);
  fpSub(t4, a.x, delta);
  fpAdd(t5, a.x, delta);
  fpMul(alpha, t4, t5);
  fpAdd(t4, alpha, alpha);
  fpAdd(alpha, alpha, t4); // alpha = 3 (x - delta)(x + delta)
  // z3 = (y + z)^2 - gamma - delta (before y and z are overwritten)
  fpAdd(t4, a.y, a.z);
  fpSqr(t4, t4);
  fpSub(t4, t4, gamma);
  fpSub(o.z, t4, delta);
  // x3 = alpha^2 - 8 beta
  fpAdd(beta, beta, beta);
  fpAdd(beta, beta, beta); // 4 beta
  fpSqr(t4, alpha);
  fpSub(t4, t4, beta);
  fpSub(o.x, t4, beta);
  // y3 = alpha (4 beta - x3) - 8 gamma^2
  fpSub(beta, beta, o.x);
  fpMul(beta, alpha, beta);
  fpSqr(gamma, gamma);
  fpAdd(gamma, gamma, gamma);
  fpAdd(gamma, gamma, gamma);
  fpAdd(gamma, gamma, gamma);
  fpSub(o.y, beta, gamma);
}

/**
 * o = a + (qx, qy) with q affine (8M + 3S). Wrong (not a crash) when a is infinity or a = +-q;
 * callers mask those cases out or, in the comb, rely on them being unreachable in practice.
 * o may alias a.
 */
export function pointAddMixed(o: JPoint, a: JPoint, qx: Int32Array, qy: Int32Array): void {
  if (!made) scratch();
  fpSqr(t0, a.z); // A = z1^2
  fpMul(t1, t0, a.z); // B = z1^3
  fpMul(t0, t0, qx); // C = x2 z1^2
  fpMul(t1, t1, qy); // D = y2 z1^3
  fpSub(t0, t0, a.x); // E = C - x1
  fpSub(t1, t1, a.y); // F = D - y1
  fpMul(o.z, a.z, t0); // z3 = z1 E
  fpSqr(t2, t0); // G = E^2
  fpMul(t3, t2, t0); // H = E^3
  fpMul(t2, a.x, t2); // I = x1 E^2
  fpMul(t4, a.y, t3); // y1 H
  fpSqr(t5, t1); // F^2
  fpSub(t5, t5, t3);
  fpSub(t5, t5, t2);
  fpSub(o.x, t5, t2); // x3 = F^2 - H - 2I
  fpSub(t2, t2, o.x);
  fpMul(t2, t1, t2);
  fpSub(o.y, t2, t4); // y3 = F (I - x3) - y1 H
}

/** o = a + b for public points, all cases (add-1998-cmo-2 with explicit exceptions). */
export function pointAdd(o: JPoint, a: JPoint, b: JPoint): void {
  if (zeroMask(a.z)) return copyPoint(o, b);
  if (zeroMask(b.z)) return copyPoint(o, a);
  const z1z1 = newFe(), z2z2 = newFe(), u1 = newFe(), u2 = newFe(), s1 = newFe(), s2 = newFe();
  fpSqr(z1z1, a.z);
  fpSqr(z2z2, b.z);
  fpMul(u1, a.x, z2z2);
  fpMul(u2, b.x, z1z1);
  fpMul(s1, a.y, b.z);
  fpMul(s1, s1, z2z2);
  fpMul(s2, b.y, a.z);
  fpMul(s2, s2, z1z1);
  const h = newFe(), r = newFe(), pl = newFe();
  fpSub(h, u2, u1);
  fpSub(r, s2, s1);
  fpToPlain(pl, h);
  if (zeroMask(pl)) {
    fpToPlain(pl, r);
    if (zeroMask(pl)) return pointDouble(o, a);
    o.x.set(FP_ONE);
    o.y.set(FP_ONE);
    o.z.fill(0);
    return;
  }
  const hh = newFe(), hhh = newFe(), v = newFe();
  fpSqr(hh, h);
  fpMul(hhh, hh, h);
  fpMul(v, u1, hh);
  const z3 = newFe();
  fpMul(z3, a.z, b.z);
  fpMul(o.z, z3, h);
  fpSqr(z3, r);
  fpSub(z3, z3, hhh);
  fpSub(z3, z3, v);
  fpSub(o.x, z3, v);
  fpSub(v, v, o.x);
  fpMul(v, r, v);
  fpMul(s1, s1, hhh);
  fpSub(o.y, v, s1);
}

/** Affine x, y (Montgomery form) of a finite point, given zinv = 1/z. */
export function affineFromZinv(x: Int32Array, y: Int32Array, a: JPoint, zinv: Int32Array): void {
  const z2 = newFe();
  fpSqr(z2, zinv);
  fpMul(x, a.x, z2);
  fpMul(z2, z2, zinv);
  fpMul(y, a.y, z2);
}

/** Affine x, y of a finite point (one Fermat inversion). */
export function toAffine(x: Int32Array, y: Int32Array, a: JPoint): void {
  const zinv = newFe();
  fpInv(zinv, a.z);
  affineFromZinv(x, y, a, zinv);
}

/** -1 if (x, y) (Montgomery form) satisfies y^2 = x^3 - 3x + b, else 0. */
export function onCurveMask(x: Int32Array, y: Int32Array): number {
  const l = newFe(), r = newFe(), t = newFe();
  fpSqr(l, y);
  fpSqr(r, x);
  fpMul(r, r, x);
  fpAdd(t, x, x);
  fpAdd(t, t, x);
  fpSub(r, r, t);
  fpAdd(r, r, FP_B);
  fpSub(l, l, r);
  fpToPlain(t, l);
  return zeroMask(t);
}
