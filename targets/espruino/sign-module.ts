// The akenza-sign Storage module (targets/espruino/modules.json): the P-256 signer and the point
// multiplication of key generation, loaded by the core's lazy-signer.ts / lazy-keypair.ts while
// minting or generating, released after.
import { p256Binding, type P256BindingOptions } from '../../src/sign/p256-binding';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';

/** Work per signing step, in ms of this interpreter's CPU on the test machine (the costs, measured with
 *  the RAM code of p256-ram.ts and inv.ts): ~20-25 ms a turn of the event loop (4 comb parts, or 6
 *  inversion batches; 25-40 ms measured with the machine's 2 cores loaded 3x), so no slice blocks it
 *  for more than 50 ms (checked in the real interpreter). Few, long turns: each costs a few ms. The
 *  core's binding options (table, hash, entropy) get these here, where they cost variables only
 *  while a signature runs. */
exports.p256Binding = (o: P256BindingOptions) =>
  p256Binding(Object.assign({ sliceBudget: 20, costs: { part: 6, double: 5, invBatch: 4, modn: 8 }, checkKeyInJob: true }, o));
exports.generateKeyPairFromTable = generateKeyPairFromTable;
