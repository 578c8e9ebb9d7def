// The akenza-sign Storage module (targets/espruino/modules.json): a mint's nonce and finish (mint.ts;
// akenza-comb runs its k*G between), a public key from a private one, and key generation's point
// math; loaded by the core's lazy-signer.ts / lazy-keypair.ts while needed, released after.
import { generateKeyPairFromTable, publicKeyFromTable } from '../../src/sign/p256/keypair';
import { mint } from './mint';

exports.mint = mint;
exports.publicKeyFromTable = publicKeyFromTable;
exports.generateKeyPairFromTable = generateKeyPairFromTable;
