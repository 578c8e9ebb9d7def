// The akenza-comb Storage module (targets/espruino/modules.json): a mint's k*G (or, in a key's first
// job, the d*G that checks its stored public point), the stage between akenza-nonce's nonce and
// akenza-r's r (mint.ts). Only the comb and its kernels (comb.ts) are loaded meanwhile.
import { combPart } from '../../src/sign/p256/comb';
import { R_MOD, type MintJob } from './mint';

/** Comb parts for one turn: ~20 ms of this interpreter's CPU (a part ~6 ms with the RAM kernels, a
 *  doubling ~5; twice that with their flash copy, which sets c.w = 2), so no turn blocks the event
 *  loop for more than 50 ms. True when the point is done and akenza-r takes over. */
exports.mint = (j: MintJob): boolean => {
  const c = j.c;
  const table = j.o.table();
  for (let spent = 0; spent < 20; ) {
    spent += (c.j < 0 ? 5 : 6) * (c.w || 1);
    if (combPart(c, table)) {
      j.n = R_MOD;
      return true;
    }
  }
  return false;
};
