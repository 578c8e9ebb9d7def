// Generates src/sign/p256/fp-gen.ts: the fully unrolled P-256 field kernels and table select.
// Unrolled product scanning is ~3x faster than loops in interpreters (QuickJS, Espruino), so the
// hot kernels are emitted straight-line. Run: node --import tsx scripts/p256/gen-field.ts
// (BigInt is fine here: this script runs on the host, never on the device.)
import { writeFileSync } from 'node:fs';

const L = 11; // limbs
const W = 24; // bits per limb
const MASK = (1 << W) - 1;
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function limbs(x: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < L; i++) {
    out.push(Number(x & BigInt(MASK)));
    x >>= BigInt(W);
  }
  if (x !== 0n) throw new Error('does not fit');
  return out;
}

// Carry step: every column sum t is a non-negative integer below 2^53, so t * 2^-24 < 2^29 (exact:
// scaling by a power of two; a multiply is much cheaper than a divide on the serial carry chain)
// and `| 0` truncates it exactly; the low limb is then t - c * 2^24. No `&` on values above 2^31
// (engines that convert doubles to int32 by a plain C cast would not wrap them reliably).
const carry = (dst: string) => `c = (t * IW) | 0; ${dst} = t - c * W;`;
// Every kernel starts with these locals: short after minification, and a local read is as cheap
// as a literal in an interpreter.
const CONSTS = '  const W = 16777216; const IW = 5.9604644775390625e-8; const P9 = 16776960; const P10 = 65535;';

// P-256 Montgomery multiply, R = 2^264. -p^-1 mod 2^24 = 1, so m_i is the low limb of the column
// itself, and m_i * p = -m_i + m_i * (p + 1) with p + 1 = W^4 + W^8 + 0xffff00 W^9 + 0xffff W^10:
// the -m_i clears the column, the rest is two plain additions and two small products.
function fpKernel(square: boolean): string {
  const lines: string[] = [];
  const name = square ? 'fpSqr' : 'fpMul';
  lines.push(square
    ? `/** o = a^2 / 2^264 mod p (inputs < 2p, output < 2p; o may alias a). */\nexport function fpSqr(o: Int32Array, a: Int32Array): void {`
    : `/** o = a * b / 2^264 mod p (inputs < 2p, output < 2p; o may alias a or b). */\nexport function fpMul(o: Int32Array, a: Int32Array, b: Int32Array): void {`);
  lines.push('  ' + Array.from({ length: L }, (_, i) => `const a${i} = a[${i}];`).join(' '));
  if (!square) lines.push('  ' + Array.from({ length: L }, (_, i) => `const b${i} = b[${i}];`).join(' '));
  lines.push(CONSTS);
  lines.push(`  let t = 0; let c = 0; ${Array.from({ length: L }, (_, i) => `let m${i} = 0;`).join(' ')}`);
  void name;
  for (let col = 0; col < 2 * L - 1; col++) {
    const terms: string[] = ['c'];
    if (square) {
      const pairs: string[] = [];
      for (let i = 0; i < L; i++) {
        const j = col - i;
        if (j <= i || j >= L) continue;
        pairs.push(`a${i} * a${j}`);
      }
      if (pairs.length) terms.push(pairs.length === 1 ? `2 * ${pairs[0]}` : `2 * (${pairs.join(' + ')})`);
      if (col % 2 === 0 && col / 2 < L) terms.push(`a${col / 2} * a${col / 2}`);
    } else {
      for (let i = 0; i < L; i++) {
        const j = col - i;
        if (j < 0 || j >= L) continue;
        terms.push(`a${i} * b${j}`);
      }
    }
    // reduction terms from m_k, k < L
    if (col - 4 >= 0 && col - 4 < L) terms.push(`m${col - 4}`);
    if (col - 8 >= 0 && col - 8 < L) terms.push(`m${col - 8}`);
    if (col - 9 >= 0 && col - 9 < L) terms.push(`P9 * m${col - 9}`);
    if (col - 10 >= 0 && col - 10 < L) terms.push(`P10 * m${col - 10}`);
    if (col === 0) terms.shift();
    lines.push(`  t = ${terms.join(' + ')};`);
    // For col < L the low limb is m_col and the -m_col term clears it: the carry is exactly c.
    if (col < L) lines.push(`  ${carry(`m${col}`)}`);
    else lines.push(`  ${carry(`o[${col - L}]`)}`);
  }
  // column 2L-1 holds only the final carry; the result is < 2p < 2^257, so it fits o[10].
  lines.push(`  o[${L - 1}] = c;`);
  lines.push('}');
  return lines.join('\n');
}

// fpAdd / fpSub write raw limb sums, then one shared unrolled normaliser carries them and
// subtracts 2p when the value is >= 2p, with a borrow mask instead of a branch (constant time).
// Sharing it keeps the code small (one copy of the carry/select chain) for one extra call.
function normKernel(M: number[]): string {
  const lines: string[] = [];
  lines.push('/** Carries raw limbs (each within +-2^26, value in [0, 4p)) and reduces the value into [0, 2p). */');
  lines.push('function fpNorm(o: Int32Array): void {');
  lines.push(`  const M = 16777215; let t = 0; let c = 0; ${Array.from({ length: L }, (_, i) => `let s${i} = 0;`).join(' ')}`);
  lines.push(`  ${Array.from({ length: L }, (_, i) => `let d${i} = 0;`).join(' ')}`);
  for (let i = 0; i < L; i++) {
    // limbs stay within +-2^26, so the int32 shift is exact and floors negatives
    lines.push(`  t = o[${i}]${i ? ' + c' : ''}; s${i} = t & M; c = t >> 24;`);
  }
  lines.push(`  s${L - 1} += c * (M + 1); // the top limb keeps its overflow (value < 4p < 2^264)`);
  // s - 2p in locals, then one write per limb: typed-array accesses are what costs most in XS
  lines.push(`  t = s0 - ${M[0]}; d0 = t & M; c = t >> 24;`);
  for (let i = 1; i < L; i++) lines.push(`  t = s${i} - ${M[i]} + c; d${i} = t & M; c = t >> 24;`);
  lines.push('  // c is -1 when s < 2p: keep s, else s - 2p');
  for (let i = 0; i < L; i++) lines.push(`  o[${i}] = d${i} ^ ((d${i} ^ s${i}) & c);`);
  lines.push('}');
  return lines.join('\n');
}

function rawKernel(kind: 'add' | 'sub', M: number[]): string {
  const lines: string[] = [];
  lines.push(kind === 'add' ? '/** o = a + b mod p (inputs < 2p, output < 2p; o may alias a or b). */' : '/** o = a - b mod p (inputs < 2p, output < 2p; o may alias a or b). */');
  lines.push(`export function fp${kind === 'add' ? 'Add' : 'Sub'}(o: Int32Array, a: Int32Array, b: Int32Array): void {`);
  for (let i = 0; i < L; i++) lines.push(kind === 'add' ? `  o[${i}] = a[${i}] + b[${i}];` : `  o[${i}] = a[${i}] - b[${i}] + ${M[i]};`);
  lines.push('  fpNorm(o);');
  lines.push('}');
  return lines.join('\n');
}

// Constant-time table row select: scans all `count` entries (22 limbs: x then y) from `off` and
// keeps the one whose index equals idx, with masks only (no secret-dependent address).
function selectKernel(): string {
  const lines: string[] = [];
  lines.push('/** qx, qy = entry idx of the `count` 22-limb entries at `off`, touching every entry. */');
  lines.push('export function tableSelect(qx: Int32Array, qy: Int32Array, t: Int32Array, off: number, count: number, idx: number): void {');
  lines.push(`  ${Array.from({ length: L }, (_, i) => `let x${i} = 0; let y${i} = 0;`).join(' ')}`);
  lines.push('  for (let v = 0; v < count; v++) {');
  lines.push('    const m = ((v ^ idx) - 1) >> 31; // -1 iff v == idx (both small non-negative ints)');
  lines.push('    const o = off + v * 22;');
  for (let i = 0; i < L; i++) lines.push(`    x${i} |= t[o + ${i}] & m; y${i} |= t[o + ${i + L}] & m;`);
  lines.push('  }');
  lines.push('  ' + Array.from({ length: L }, (_, i) => `qx[${i}] = x${i};`).join(' '));
  lines.push('  ' + Array.from({ length: L }, (_, i) => `qy[${i}] = y${i};`).join(' '));
  lines.push('}');
  return lines.join('\n');
}

const p2l = limbs(2n * P);
const W24 = 1n << 24n;
// n' = -n^-1 mod 2^24 (Newton iteration)
let inv = 1n;
for (let i = 0; i < 6; i++) inv = (inv * (2n - (N % W24) * inv)) % W24;
const nprime = Number((W24 - inv) % W24);
if (((N * BigInt(nprime)) + 1n) % W24 !== 0n) throw new Error('bad nprime');
// sanity: the P-256 constant really is 1
if (((P * 1n) + 1n) % W24 !== 0n) throw new Error('p constant is not 1');

const src = [
  '// GENERATED by scripts/p256/gen-field.ts, do not edit: unrolled P-256 field kernels, table select.',
  '// Elements are 11 limbs of 24 bits (little-endian Int32Array) in Montgomery form, R = 2^264.',
  '// Every product is below 2^48 and every column sum below 2^53, so plain doubles are exact',
  '// (no Math.imul, no native big integers). Values are kept in [0, 2p), which Montgomery',
  '// multiplication preserves because R is 2^8 times larger than p.',
  '',
  fpKernel(false),
  '',
  fpKernel(true),
  '',
  normKernel(p2l),
  '',
  rawKernel('add', p2l),
  '',
  rawKernel('sub', p2l),
  '',
  selectKernel(),
  '',
].join('\n');
writeFileSync(new URL('../../src/sign/p256/fp-gen.ts', import.meta.url), src);
console.log('wrote src/sign/p256/fp-gen.ts', src.length, 'chars; n\' = -n^-1 mod 2^24 (used by fn.ts):', nprime);
