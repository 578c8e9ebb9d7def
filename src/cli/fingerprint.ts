// `akenza-device fingerprint FILE`: the kid of a public credential (SPKI, certificate or PKCS#1 PEM).
import { readFileSync } from 'node:fs';
import { fingerprint, parsePublicKey } from '../keys';
import { parseCommandArgs, printJson, UsageError, type Io } from './io';

export const FINGERPRINT_HELP = `usage: akenza-device fingerprint FILE [--json]

Prints the fingerprint of a public credential, as the platform computes it for the JWT kid:
lowercase hex SHA-256 of the SubjectPublicKeyInfo DER for a public key ("PUBLIC KEY" or PKCS#1
"RSA PUBLIC KEY" PEM), lowercase hex SHA-1 of the certificate DER for a "CERTIFICATE" PEM.
A private key is refused: fingerprint what you upload.

options:
  --json       print {file, fingerprint, format, alg, hash}
  -h, --help   this help`;

export function fingerprintCommand(args: string[], io: Io): void {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 1) throw new UsageError('expected exactly one FILE');
  const key = parsePublicKey(readFileSync(positionals[0], 'utf8'));
  const fp = fingerprint(key);
  if (values.json) return printJson(io, { file: positionals[0], fingerprint: fp, format: key.format, alg: key.alg, hash: key.format === 'certificate' ? 'sha1' : 'sha256' });
  io.out(fp);
}
