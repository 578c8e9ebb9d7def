// Typed errors: every refusal carries a stable `code` naming the problem, never secret material.
import { errorClass } from './error-class';

/** Stable codes of AkenzaError; docs/troubleshooting.md gives the cause and fix of each. */
export type ErrorCode =
  | 'PEM_INVALID' // no PEM block, missing END line, bad base64 inside
  | 'PEM_UNSUPPORTED' // a PEM label we do not accept (e.g. DSA, OpenSSH)
  | 'DER_INVALID' // truncated or malformed ASN.1 DER
  | 'KEY_ENCRYPTED' // encrypted PKCS#8 or legacy encrypted PEM
  | 'KEY_UNSUPPORTED' // a key algorithm other than EC P-256 or RSA
  | 'CURVE_UNSUPPORTED' // EC key on a curve other than P-256
  | 'RSA_KEY_TOO_SMALL' // RSA modulus under 2048 bits
  | 'RSA_KEY_TOO_LARGE' // RSA modulus over 4096 bits (signing and verifying would take minutes or hang)
  | 'KEY_INVALID' // structurally valid but mathematically wrong (zero scalar, bad point, ...)
  | 'ALG_UNSUPPORTED' // JWT alg other than ES256/RS256
  | 'ALG_MISMATCH' // key type does not match the chosen alg
  | 'OPTION_INVALID' // a bad option value (deviceId, lifetime, ...)
  | 'MESSAGE_DROPPED' // the outbox bound pushed this message out before it was delivered
  | 'UPLINK_REJECTED' // the cloud refused an uplink for good (a 4xx other than auth): it is not resent
  | 'PUBLISH_TIMEOUT' // publish({ timeoutMs }): not delivered in time; the message stays queued
  | 'ENTROPY_UNAVAILABLE'; // generateKeyPair on a board with no good random source (Espruino's Linux build, Moddable without a hardware RNG passed in): pass randomBytes

// The common codes as constants: a bundle then holds each code string once (esbuild does not merge
// repeated string literals), which counts on the smallest targets.
export const OPTION_INVALID = 'OPTION_INVALID';
export const KEY_INVALID = 'KEY_INVALID';
export const PEM_INVALID = 'PEM_INVALID';
export const PEM_UNSUPPORTED = 'PEM_UNSUPPORTED';
export const KEY_ENCRYPTED = 'KEY_ENCRYPTED';
export const CURVE_UNSUPPORTED = 'CURVE_UNSUPPORTED';

/** Every refusal of the SDK: `code` names the problem; the message explains it (without repeating the code) and never holds keys or secrets. */
export const AkenzaError = errorClass<ErrorCode>('AkenzaError');
/** An AkenzaError: `code` is the stable, machine-readable reason. */
export type AkenzaError = InstanceType<typeof AkenzaError>;

/** One line for a log or a terminal: `CODE: message` for an AkenzaError (its message does not repeat the code), the message otherwise. */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return e instanceof AkenzaError ? e.code + ': ' + m : m;
}

export function fail(code: ErrorCode, message: string): never {
  throw new AkenzaError(code, message);
}
