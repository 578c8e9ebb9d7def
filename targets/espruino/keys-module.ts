// The akenza-keys Storage module (targets/espruino/modules.json): key parsing, PEM output and
// fingerprints, loaded by the core's lazy-keys.ts for one call and released after it.
import { ecSpki, fingerprint, keyPairPems, parsePrivateKey, parsePublicKey, publicKeyOf } from '../../src/keys';

exports.parsePrivateKey = parsePrivateKey;
exports.parsePublicKey = parsePublicKey;
exports.publicKeyOf = publicKeyOf;
exports.ecSpki = ecSpki;
exports.fingerprint = fingerprint;
exports.keyPairPems = keyPairPems;
