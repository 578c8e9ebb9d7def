// `akenza-device keygen`: a new key pair on disk (private key 0600), prints the fingerprint to register.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { fingerprint } from '../keys';
import { parseCommandArgs, printJson, UsageError, type Io } from './io';

export const KEYGEN_HELP = `usage: akenza-device keygen --out PREFIX [--alg ES256|RS256] [--force] [--json]

Generates a device key pair: PREFIX.key.pem (PKCS#8 private key, mode 0600: it stays on the
device) and PREFIX.pub.pem (SPKI public key: upload it as the "ES256 PEM" / "RSA PEM" credential).
Prints the public key's fingerprint, the JWT kid (lowercase hex SHA-256 of the SPKI DER).

options:
  --out PREFIX   where to write the two files (refuses to overwrite without --force)
  --alg A        ES256 (EC P-256, default) or RS256 (RSA 2048, e = 65537)
  --force        overwrite existing files
  --json         print {alg, privateKey, publicKey, fingerprint} (file paths, never key material)
  -h, --help     this help`;

export function keygenCommand(args: string[], io: Io): void {
  const { values } = parseCommandArgs(args, {
    alg: { type: 'string', default: 'ES256' },
    out: { type: 'string' },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (values.alg !== 'ES256' && values.alg !== 'RS256') throw new UsageError('--alg must be ES256 or RS256');
  if (!values.out) throw new UsageError('--out PREFIX is required');
  const keyFile = values.out + '.key.pem';
  const pubFile = values.out + '.pub.pem';
  if (!values.force && (existsSync(keyFile) || existsSync(pubFile))) throw new UsageError(keyFile + ' or ' + pubFile + ' exists; pass --force to overwrite');
  const pair =
    values.alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const priv = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const pub = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  writeFileSync(keyFile, priv, { mode: 0o600 });
  writeFileSync(pubFile, pub);
  const fp = fingerprint(pub);
  if (values.json) return printJson(io, { alg: values.alg, privateKey: keyFile, publicKey: pubFile, fingerprint: fp });
  io.out('wrote ' + keyFile + ' (private, keep on the device) and ' + pubFile + ' (upload to the platform)');
  io.out('fingerprint ' + fp);
}
