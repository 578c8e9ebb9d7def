// Self-signed X.509 v3 certificates for device keys (the platform's "ES256 X509 PEM" and
// "RSA X509 PEM" credential formats): DER assembled with src/asn1's writer, signed by node:crypto.
import { createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { DER_NULL, derBitString, derOid, derSequence, derUint, tlv, TAG_OCTET_STRING } from '../asn1';
import { fail } from '../errors';
import type { Alg } from '../sign/signer';

const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_RSA_SHA256 = '1.2.840.113549.1.1.11';
const OID_COMMON_NAME = '2.5.4.3';
const OID_BASIC_CONSTRAINTS = '2.5.29.19';
const OID_KEY_USAGE = '2.5.29.15';
const TAG_UTF8_STRING = 0x0c;
const TAG_UTC_TIME = 0x17;
const TAG_GENERALIZED_TIME = 0x18;
const TAG_BOOLEAN = 0x01;
/** RFC 5280 ub-common-name. */
export const MAX_COMMON_NAME = 64;

export interface SelfSignedOptions {
  /** The device's private key (node:crypto KeyObject) and its JWT alg. */
  key: KeyObject;
  alg: Alg;
  /** Subject and issuer CN (the deviceId). */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Positive, big-endian, at most 20 bytes; default: randomSerialNumber(). */
  serial?: Uint8Array;
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always UTC to the second. */
function derTime(d: Date): Uint8Array {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const year = d.getUTCFullYear();
  if (year < 1950 || year > 9999) fail('OPTION_INVALID', 'certificate dates must lie between 1950 and 9999');
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  return year < 2050 ? tlv(TAG_UTC_TIME, ascii(digits.slice(2))) : tlv(TAG_GENERALIZED_TIME, ascii(digits));
}

function name(cn: string): Uint8Array {
  const atv = derSequence([derOid(OID_COMMON_NAME), tlv(TAG_UTF8_STRING, new Uint8Array(Buffer.from(cn, 'utf8')))]);
  return derSequence([tlv(0x31, atv)]); // RDNSequence of one SET holding the CN
}

function extension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  const parts = [derOid(oid)];
  if (critical) parts.push(tlv(TAG_BOOLEAN, new Uint8Array([0xff])));
  parts.push(tlv(TAG_OCTET_STRING, value));
  return derSequence(parts);
}

/** A positive 127-bit serial number, unique enough that two runs never collide (RFC 5280: at most 20 bytes). */
export function randomSerialNumber(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = (s[0] & 0x7f) | 0x40;
  return s;
}

/** The certificate DER: version 3, subject = issuer = CN, an end-entity signing key (CA:FALSE, digitalSignature). */
export function selfSignedCertificate(o: SelfSignedOptions): Uint8Array {
  if (!o.commonName || o.commonName.length > MAX_COMMON_NAME) fail('OPTION_INVALID', 'the certificate CN must be 1..' + MAX_COMMON_NAME + ' characters');
  if (!(o.notAfter.getTime() > o.notBefore.getTime())) fail('OPTION_INVALID', 'notAfter must be after notBefore');
  const sigAlg = o.alg === 'ES256' ? derSequence([derOid(OID_ECDSA_SHA256)]) : derSequence([derOid(OID_RSA_SHA256), DER_NULL]);
  const spki = new Uint8Array(createPublicKey(o.key).export({ type: 'spki', format: 'der' }));
  const subject = name(o.commonName);
  const extensions = derSequence([
    extension(OID_BASIC_CONSTRAINTS, true, derSequence([])),
    // keyUsage BIT STRING: 7 unused bits, bit 0 (digitalSignature) set.
    extension(OID_KEY_USAGE, true, tlv(0x03, new Uint8Array([7, 0x80]))),
  ]);
  const tbs = derSequence([
    tlv(0xa0, derUint(new Uint8Array([2]))), // [0] version v3
    derUint(o.serial || randomSerialNumber()),
    sigAlg,
    subject, // issuer: self-signed
    derSequence([derTime(o.notBefore), derTime(o.notAfter)]),
    subject,
    spki,
    tlv(0xa3, extensions),
  ]);
  // X.509 carries ECDSA signatures DER-encoded (unlike JWS, which uses raw r||s).
  const sig = new Uint8Array(sign('sha256', tbs, o.key));
  return derSequence([tbs, sigAlg, derBitString(sig)]);
}

