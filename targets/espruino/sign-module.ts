// The akenza-sign Storage module (targets/espruino/modules.json): a public key from a private one,
// and key generation's point math; loaded by the core's lazy-signer.ts / lazy-keypair.ts while
// needed, released after. (A signature runs in the mint's stage modules: mint.ts.)
import { generateKeyPairFromTable, publicKeyFromTable } from '../../src/sign/p256/keypair';

exports.publicKeyFromTable = publicKeyFromTable;
exports.generateKeyPairFromTable = generateKeyPairFromTable;
