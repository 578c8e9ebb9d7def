// P-256 keys with the table defaulted: from the given comb-table.bin bytes, else computed once at
// first use (Node and engines that prefer computing over shipping a file).
import { computeCombTableBytes, loadCombTable, type CombTable } from './comb';
import { generateKeyPairFromTable, publicKeyFromTable, type P256KeyPair } from './keypair';

let computed: CombTable | null = null;
let lastBytes: Uint8Array | null = null;
let lastTable: CombTable | null = null;

/**
 * The comb table: from `bytes` when given (the shipped comb-table.bin; validated once per byte
 * array, so creating signers repeatedly does not re-validate), else computed once at first use and
 * kept for the life of the program.
 */
export function combTable(bytes?: Uint8Array): CombTable {
  if (bytes) {
    if (bytes !== lastBytes || !lastTable) {
      lastTable = loadCombTable(bytes);
      lastBytes = bytes;
    }
    return lastTable;
  }
  if (!computed) computed = loadCombTable(computeCombTableBytes());
  return computed;
}

/** 65-byte uncompressed public point 0x04 || x || y for a 32-byte private key. */
export function getPublicKey(privateKey: Uint8Array, table?: Uint8Array): Uint8Array {
  return publicKeyFromTable(privateKey, combTable(table));
}

/** A fresh key pair from `randomBytes(n)`, the platform RNG (see keypair.ts). */
export function generateKeyPair(randomBytes: (n: number) => Uint8Array, table?: Uint8Array): P256KeyPair {
  return generateKeyPairFromTable(randomBytes, combTable(table));
}
