// Build-time stand-in for src/sign/p256/keypair.ts in the Espruino core (targets/espruino/modules.json):
// generateKeyPair's point multiplication runs in the akenza-sign Storage module, released after.
import type { CombTable } from '../../src/sign/p256/comb';
import type { P256KeyPair } from '../../src/sign/p256/keypair';
import { withModule } from './load';
import type { SignModule } from './lazy-signer';

export const generateKeyPairFromTable = (randomBytes: (n: number) => Uint8Array, table: CombTable): P256KeyPair =>
  withModule('akenza-sign', (m: SignModule) => m.generateKeyPairFromTable(randomBytes, table));
