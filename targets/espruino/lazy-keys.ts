// Build-time stand-in for src/keys/index.ts in the Espruino core (targets/espruino/modules.json):
// each key function runs in the akenza-keys Storage module, loaded for the calls of one turn and
// released after them, so key parsing, PEM output and fingerprints take no variables between uses.
// Plain functions, not closures made by a helper: a closure costs about twice as many variables.
import { withModuleThisTurn } from './load';

export type * from '../../src/keys/types';
type Keys = typeof import('../../src/keys');

function inKeys(name: keyof Keys, a: unknown, b?: unknown): any {
  return withModuleThisTurn('akenza-keys', (m: Keys) => (m[name] as (a: unknown, b: unknown) => unknown)(a, b));
}

export const parsePrivateKey: Keys['parsePrivateKey'] = (input, alg) => inKeys('parsePrivateKey', input, alg);
export const parsePublicKey: Keys['parsePublicKey'] = (input, alg) => inKeys('parsePublicKey', input, alg);
export const publicKeyOf: Keys['publicKeyOf'] = (key) => inKeys('publicKeyOf', key);
export const ecSpki: Keys['ecSpki'] = (point) => inKeys('ecSpki', point);
export const fingerprint: Keys['fingerprint'] = (key) => inKeys('fingerprint', key);
export const keyPairPems: Keys['keyPairPems'] = (privateKey, publicKey) => inKeys('keyPairPems', privateKey, publicKey);
