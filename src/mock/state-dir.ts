// The mock's state dir (`stateDir` / `mock --state-dir DIR`): what it keeps between runs so boards
// need not be re-flashed after a restart. Layout (made on first use, the dir mode 700):
//   registry.json          the registry, when no other file is named (empty at first)
//   ca.pem, ca.key         the CA boards trust (P-256); rsa-ca.pem, rsa-ca.key with tlsKeyType 'rsa'
//   server.pem, server.key the server certificate (re-issued from the CA when a name is missing)
//   admin-token            the admin API's bearer token (kept between runs)
//   admin-url              where the admin API listens (the downlink command reads it)
// Every file holding a key or the token is written mode 600.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeSecretFile } from './tls-cert';
import { MockSetupError } from './setup-error';

export const STATE_FILES = { registry: 'registry.json', adminToken: 'admin-token', adminUrl: 'admin-url' };

/** Creates the state dir (mode 700) when missing; an existing path that is not a directory is an error. */
export function ensureStateDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new MockSetupError('state dir ' + dir + ' exists and is not a directory');
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** The registry file of the state dir, created empty when missing. */
export function stateRegistryFile(dir: string): string {
  const file = join(dir, STATE_FILES.registry);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify({ audienceBase: 'https://akenza.io', devices: [], connectors: [] }, null, 2) + '\n');
  return file;
}

/** Shortest admin token accepted from a file or the environment. */
export const MIN_ADMIN_TOKEN_CHARS = 16;

/** A new random admin token (32 bytes, base64url). */
export const newAdminToken = (): string => randomBytes(32).toString('base64url');

/** Reads a token file: its first line, trimmed; undefined when missing, an error when too short. */
export function readTokenFile(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const t = readFileSync(file, 'utf8').split(/\r?\n/)[0].trim();
  if (t.length < MIN_ADMIN_TOKEN_CHARS) throw new MockSetupError('admin token in ' + file + ' is shorter than ' + MIN_ADMIN_TOKEN_CHARS + ' characters');
  return t;
}

/** The token kept in `file` (made and written mode 600 when missing). */
export function keptAdminToken(file: string): string {
  const t = readTokenFile(file);
  if (t !== undefined) {
    chmodSync(file, 0o600);
    return t;
  }
  const made = newAdminToken();
  writeSecretFile(file, made + '\n');
  return made;
}
