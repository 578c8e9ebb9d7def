// Stand-in for the example's native hwrandom module: xsnap has no hardware RNG, so a seeded generator
// (the test decides the seed, so two boots can be told apart).
declare const SEED: number;
let state = SEED;
export default function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = ((state = (state * 1103515245 + 12345) & 0x7fffffff) >> 16) & 255;
  return b;
}
