// Public surface of the P-256 ES256 code on plain Numbers (no native big integers).
export { createP256Signer, type P256SignerOptions } from './signer';
export { createP256SignerCore, type P256CoreOptions } from './ecdsa';
export { getPublicKey, generateKeyPair, combTable } from './keys';
export { publicKeyFromTable, generateKeyPairFromTable, publicKeyToSpki, type P256KeyPair } from './keypair';
export { computeCombTableBytes, loadCombTable, TABLE_BYTES, type CombTable } from './comb';
export { verifyP256 } from './verify';
