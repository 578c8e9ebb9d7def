// The akenza-nonce Storage module (targets/espruino/modules.json): a mint's first stage, the RFC 6979
// nonce and the message hash (mint.ts), loaded for it and released when akenza-comb takes over.
import { mint } from './mint';

exports.mint = mint;
