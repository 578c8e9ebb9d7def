// Build-time stand-in for src/keys/index.ts in the Espruino core (targets/espruino/modules.json):
// each key function runs in the akenza-keys Storage module, loaded for the calls of one turn and
// released after them, so key parsing, PEM output and fingerprints take no variables between uses.
import { withModuleThisTurn } from './load';

export type * from '../../src/keys/types';
type Keys = typeof import('../../src/keys');

const inKeys = <N extends keyof Keys>(name: N): Keys[N] =>
  ((a: unknown, b: unknown) => withModuleThisTurn('akenza-keys', (m: Keys) => (m[name] as (a: unknown, b: unknown) => unknown)(a, b))) as unknown as Keys[N];

export const parsePrivateKey = inKeys('parsePrivateKey');
export const parsePublicKey = inKeys('parsePublicKey');
export const publicKeyOf = inKeys('publicKeyOf');
export const ecSpki = inKeys('ecSpki');
export const fingerprint = inKeys('fingerprint');
export const keyPairPems = inKeys('keyPairPems');
