// Build-time stand-in for src/keys/extras.ts in the Espruino bundle: no RSA (RS256 needs BigInt,
// which Espruino lacks; RSA keys get ALG_UNSUPPORTED), no X.509 certificate parsing (a device uses
// its own key, and its SPKI for the kid), and no OID name table (refusals give the dotted OID).
import type { publicFromCertificate } from '../../src/keys/cert';
import type { RsaSupport } from '../../src/keys/types';

export const CERT: typeof publicFromCertificate | null = null;

export const RSA: RsaSupport | null = null;
export const OID_NAMES: { [oid: string]: string } = {};
