// The akenza-r Storage module (targets/espruino/modules.json): a mint's r (r.ts), loaded after
// akenza-comb's k*G, released when r is out.
import { stageR } from './r';

exports.mint = stageR;
