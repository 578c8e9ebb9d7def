// QuickJS/Espruino-profile entry used by tests and the bench: exposes the Number-only signer on
// globalThis with hex strings in and out (the profile has no TextEncoder to move bytes around).
import { createP256Signer, getPublicKey, loadCombTable, computeCombTableBytes, verifyP256 } from '../../src/sign/p256/index';
import { signSync, type Signer } from '../../src/sign/signer';
import { fromHex, toHex } from '../../src/bytes';

declare const hostNow: () => number;
const g = globalThis as unknown as Record<string, unknown>;
let tableBytes: Uint8Array | undefined;
const signers: Record<string, Signer> = {};

function signerFor(skHex: string): Signer {
  let s = signers[skHex];
  if (!s) s = signers[skHex] = createP256Signer({ privateKey: fromHex(skHex), table: tableBytes });
  return s;
}

/** Loads the comb table from hex (as a target would from a file); returns load time in ms. */
g.p256LoadTable = function (hex: string): number {
  const b = fromHex(hex);
  const t0 = hostNow();
  loadCombTable(b);
  const dt = hostNow() - t0;
  tableBytes = b;
  for (const k in signers) delete signers[k];
  return dt;
};
/** Computes the comb table (and uses it from now on); returns compute + validate time in ms. */
g.p256ComputeTable = function (): number {
  const t0 = hostNow();
  const b = computeCombTableBytes();
  loadCombTable(b);
  const dt = hostNow() - t0;
  tableBytes = b;
  for (const k in signers) delete signers[k];
  return dt;
};
g.p256TableHex = function (): string {
  return toHex(computeCombTableBytes());
};
g.p256Sign = function (skHex: string, msgHex: string): string {
  return toHex(signSync(signerFor(skHex), fromHex(msgHex)));
};
g.p256PublicKey = function (skHex: string): string {
  return toHex(getPublicKey(fromHex(skHex), tableBytes));
};
g.p256Verify = function (sigHex: string, msgHex: string, pubHex: string): boolean {
  return verifyP256(fromHex(sigHex), fromHex(msgHex), fromHex(pubHex));
};
/** Times `count` signatures; returns ms per signature. */
g.p256Bench = function (skHex: string, msgHex: string, count: number): number {
  const s = signerFor(skHex);
  const m = fromHex(msgHex);
  signSync(s, m);
  const t0 = hostNow();
  for (let i = 0; i < count; i++) signSync(s, m);
  return (hostNow() - t0) / count;
};
/** Signs in sliced mode (budget 0: the default), timing every step; returns [signatureHex, steps, longestMs, totalMs]. */
g.p256SlicedProfile = function (skHex: string, msgHex: string, budget: number): unknown[] {
  const s = createP256Signer({ privateKey: fromHex(skHex), table: tableBytes, sliceBudget: budget || undefined });
  const step = s.start(fromHex(msgHex));
  let longest = 0;
  let steps = 0;
  const t0 = hostNow();
  for (;;) {
    const a = hostNow();
    const sig = step();
    const dt = hostNow() - a;
    steps++;
    if (dt > longest) longest = dt;
    if (sig) return [toHex(sig), steps, longest, hostNow() - t0];
  }
};
