// The akenza-sign Storage module (targets/espruino/modules.json): the P-256 signer and the point
// multiplication of key generation, loaded by the core's lazy-signer.ts / lazy-keypair.ts while
// minting or generating, released after.
import { p256Binding } from '../../src/sign/p256-binding';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';

exports.p256Binding = p256Binding;
exports.generateKeyPairFromTable = generateKeyPairFromTable;
