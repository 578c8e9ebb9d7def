// `akenza-device keygen`: a new key pair on disk (private key 0600), prints the fingerprint to register.
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, fchmodSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fingerprint } from '../keys';
import { parseCommandArgs, printJson, UsageError, type Io } from './io';

export const KEYGEN_HELP = `usage: akenza-device keygen --out PREFIX [--alg ES256|RS256] [--force] [--json]

Generates a device key pair: PREFIX.key.pem (PKCS#8 private key, mode 0600, also when it replaces a
file with --force: it stays on the device) and PREFIX.pub.pem (SPKI public key: upload it as the "ES256 PEM" / "RSA PEM" credential).
Prints the public key's fingerprint, the JWT kid (lowercase hex SHA-256 of the SPKI DER).

options:
  --out PREFIX   where to write the two files (refuses to overwrite without --force; a symlink
                 there is replaced, never followed)
  --alg A        ES256 (EC P-256, default) or RS256 (RSA 2048, e = 65537)
  --force        overwrite existing files
  --json         print {alg, privateKey, publicKey, fingerprint} (file paths, never key material)
  -h, --help     this help`;

/** Whether anything is at `path`, a dangling symlink included (existsSync follows links). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `text` to `path` with `mode`, in every case: into a new file beside it (created exclusively,
 * so never through a link), then renamed over `path`. A file that was there is replaced, not
 * rewritten, so its old mode does not survive; a symlink at `path` is replaced, never followed.
 */
export function writeFileReplacing(path: string, text: string, mode: number): void {
  const tmp = join(dirname(path), '.' + basename(path) + '.' + process.pid + '-' + Math.random().toString(36).slice(2, 10) + '.tmp');
  const fd = openSync(tmp, 'wx', mode);
  try {
    try {
      fchmodSync(fd, mode); // the umask may have taken bits off; never adds any beyond `mode`
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already renamed or gone */
    }
    throw e;
  }
}

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
  if (!values.force && (present(keyFile) || present(pubFile))) throw new UsageError(keyFile + ' or ' + pubFile + ' exists; pass --force to overwrite');
  const pair =
    values.alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
  const priv = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  const pub = pair.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  writeFileReplacing(keyFile, priv, 0o600);
  writeFileReplacing(pubFile, pub, 0o644);
  const fp = fingerprint(pub);
  if (values.json) return printJson(io, { alg: values.alg, privateKey: keyFile, publicKey: pubFile, fingerprint: fp });
  io.out('wrote ' + keyFile + ' (private, keep on the device) and ' + pubFile + ' (upload to the platform)');
  io.out('fingerprint ' + fp);
}
