// QuickJS entry for the bench baseline: noble's p256 (native BigInt) with hex in and out.
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';

declare const hostNow: () => number;
const g = globalThis as unknown as Record<string, unknown>;
g.nobleSign = (skHex: string, msgHex: string): string => bytesToHex(p256.sign(hexToBytes(msgHex), hexToBytes(skHex)));
g.nobleBench = (skHex: string, msgHex: string, count: number): number => {
  const sk = hexToBytes(skHex);
  const m = hexToBytes(msgHex);
  p256.sign(m, sk);
  const t0 = hostNow();
  for (let i = 0; i < count; i++) p256.sign(m, sk);
  return (hostNow() - t0) / count;
};
