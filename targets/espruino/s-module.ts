// The akenza-s Storage module (targets/espruino/modules.json): a mint's s (s.ts), loaded after
// akenza-r, released when the signature is out.
import { stageS } from './s';

exports.mint = stageS;
