// The akenza-finish Storage module (targets/espruino/modules.json): a mint's r and s (finish.ts),
// loaded after akenza-comb's k*G and released when the signature is out.
import { finish } from './finish';

exports.mint = finish;
