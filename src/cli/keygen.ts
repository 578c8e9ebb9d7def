// `akenza-device keygen`: a new key pair on disk (private key 0600), prints the fingerprint to register.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fingerprint } from '../fingerprint';
import type { Io } from './main';
import { UsageError } from './main';

export function keygenCommand(args: string[], io: Io): void {
  const { values } = parseArgs({ args, options: { alg: { type: 'string', default: 'ES256' }, out: { type: 'string' }, force: { type: 'boolean', default: false } } });
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
  io.out('wrote ' + keyFile + ' (private, keep on the device) and ' + pubFile + ' (upload to the platform)');
  io.out('fingerprint ' + fingerprint(pub));
}
