// The mock's TLS identity for MQTTS and WSS: a CA and a server (leaf) certificate whose subjectAltName
// lists every name the mock is reached by (localhost, the loopbacks, the listen address or every
// interface address for 0.0.0.0 / ::, and names the user adds), made by the openssl CLI (node:crypto
// cannot issue certificates). P-256 by default; RSA-2048 for clients whose TLS has only RSA key
// exchanges (Espruino's mbedTLS). The server sends leaf + CA: Moddable's TLS checks subjectAltName
// only when it gets the whole chain.
// Throwaway identities (one per key type and name list and process) live only in a temp dir; a state
// dir keeps the CA between runs (boards keep the CA they were flashed with) and re-issues the server
// certificate from it when a name is not covered any more. Key files are written mode 600.
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_NAMES, validTlsName } from './addresses';
import { MockSetupError } from './setup-error';

export interface TlsIdentity {
  /** Server certificate chain PEM: the leaf, then the CA. */
  cert: string;
  /** Server private key PEM. */
  key: string;
  /** The CA certificate PEM clients verify against. */
  ca: string;
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { cwd }, (err, _out, stderr) => {
      if (err) reject(new MockSetupError('openssl ' + args[0] + ' failed (is the openssl CLI installed?): ' + (stderr || err.message).toString().trim()));
      else resolve();
    });
  });
}

/** Key type of the mock's TLS identity. */
export type TlsKeyType = 'ec' | 'rsa';

const newKey = (keyType: TlsKeyType) => (keyType === 'rsa' ? ['-newkey', 'rsa:2048', '-nodes'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']);

/** The subjectAltName line of the leaf; names are validated (they go into an openssl config file). */
function sanLine(names: string[]): string {
  for (const n of names) if (!validTlsName(n)) throw new Error('not a DNS name or IP address for the TLS certificate: ' + JSON.stringify(n));
  return 'subjectAltName=' + names.map((n) => (isIP(n) ? 'IP:' : 'DNS:') + n).join(',');
}

/** Makes ca.key + ca.pem in `dir`. */
async function makeCa(dir: string, keyType: TlsKeyType): Promise<void> {
  await openssl(['req', '-x509', ...newKey(keyType), '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=akenza-device mock cloud CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

/** Issues leaf.pem from ca.key + ca.pem in `dir`, with leaf.key (made unless it is there). */
async function issueLeaf(dir: string, keyType: TlsKeyType, names: string[], haveKey: boolean): Promise<void> {
  const cn = names.find((n) => !isIP(n) && n.indexOf('*') < 0) || 'localhost';
  const key = haveKey ? ['-key', 'leaf.key'] : [...newKey(keyType), '-keyout', 'leaf.key'];
  await openssl(['req', '-new', ...key, '-out', 'leaf.csr', '-subj', '/CN=' + cn], dir);
  await writeFile(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature' + (keyType === 'rsa' ? ',keyEncipherment' : '') +
    '\nextendedKeyUsage=serverAuth\n' + sanLine(names) + '\n');
  await openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '825', '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.pem'], dir);
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'akenza-mock-tls-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function generate(keyType: TlsKeyType, names: string[]): Promise<TlsIdentity> {
  return inTempDir(async (dir) => {
    await makeCa(dir, keyType);
    await issueLeaf(dir, keyType, names, false);
    const [leaf, key, ca] = await Promise.all(['leaf.pem', 'leaf.key', 'ca.pem'].map((f) => readFile(join(dir, f), 'utf8')));
    return { cert: leaf + ca, key, ca };
  });
}

const cached = new Map<string, Promise<TlsIdentity>>();

/**
 * The process's generated identity of that key type for that name list (made on first use; the CA key
 * never leaves the temp dir). Default names: localhost, 127.0.0.1, ::1.
 */
export function generatedTlsIdentity(keyType: TlsKeyType = 'ec', names: string[] = LOCAL_NAMES): Promise<TlsIdentity> {
  const k = keyType + ' ' + names.join(',');
  let id = cached.get(k);
  if (!id) {
    sanLine(names); // refuses a bad name before anything runs
    id = generate(keyType, names);
    cached.set(k, id);
    id.catch(() => cached.delete(k));
  }
  return id;
}

/** A key file: created mode 600 (and set so when it existed with other bits). */
export function writeSecretFile(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** File names of the identity kept in a state dir: ca.pem, ca.key, server.pem, server.key (P-256); rsa-ca.pem ... for RSA. */
export function stateTlsFiles(dir: string, keyType: TlsKeyType = 'ec'): { ca: string; caKey: string; cert: string; key: string } {
  const p = keyType === 'rsa' ? 'rsa-' : '';
  return { ca: join(dir, p + 'ca.pem'), caKey: join(dir, p + 'ca.key'), cert: join(dir, p + 'server.pem'), key: join(dir, p + 'server.key') };
}

/** True when `leaf` covers every name (IP SANs compared as addresses, DNS names case-insensitively). */
export function certCovers(leaf: X509Certificate, names: string[]): boolean {
  const sans = (leaf.subjectAltName || '').split(/,\s*/).map((s) => s.trim().toLowerCase());
  return names.every((n) => (isIP(n) ? leaf.checkIP(n) !== undefined : sans.includes('dns:' + n.toLowerCase())));
}

/** What stateDirTlsIdentity did: made a CA, (re-)issued the server certificate, or kept both. */
export type StateTlsAction = 'created' | 'reissued' | 'kept';

/**
 * The identity kept in `dir` (which must exist): the CA is made on first use and then kept; the
 * server certificate is kept while it is signed by that CA, matches its key, covers every name and is
 * valid for another day, else re-issued from the CA (its key kept). A CA file without its key, or a
 * broken one, is an error naming the file (never silently replaced: boards trust it).
 */
export async function stateDirTlsIdentity(dir: string, keyType: TlsKeyType, names: string[]): Promise<TlsIdentity & { action: StateTlsAction; caFile: string }> {
  sanLine(names);
  const f = stateTlsFiles(dir, keyType);
  const haveCa = existsSync(f.ca);
  if (haveCa !== existsSync(f.caKey)) {
    throw new MockSetupError(f.ca + ' and ' + f.caKey + ' belong together and one is missing: restore it, or remove both to make a new CA (boards must then get the new ' + f.ca + ')');
  }
  let caPem = '';
  if (haveCa) {
    caPem = readFileSync(f.ca, 'utf8');
    try {
      const caCert = new X509Certificate(caPem);
      if (!caCert.checkPrivateKey(createPrivateKey(readFileSync(f.caKey, 'utf8')))) throw new Error('the key is not the key of the certificate');
    } catch (e) {
      throw new MockSetupError('the kept CA in ' + f.ca + ' / ' + f.caKey + ' is not usable (' + (e as Error).message + '): restore it, or remove both files to make a new CA');
    }
    if (existsSync(f.cert) && existsSync(f.key)) {
      const cert = readFileSync(f.cert, 'utf8');
      const key = readFileSync(f.key, 'utf8');
      let ok = false;
      try {
        const leaf = new X509Certificate(cert);
        const ca = new X509Certificate(caPem);
        ok = leaf.checkIssued(ca) && leaf.verify(ca.publicKey) && leaf.checkPrivateKey(createPrivateKey(key)) && Date.parse(leaf.validTo) > Date.now() + 86400_000 && certCovers(leaf, names);
      } catch {
        ok = false;
      }
      if (ok) return { cert: cert.indexOf(caPem.trim()) >= 0 ? cert : cert.trimEnd() + '\n' + caPem, key, ca: caPem, action: 'kept', caFile: f.ca };
    }
  }
  return inTempDir(async (tmp) => {
    let keepKey = false;
    if (haveCa) {
      await writeFile(join(tmp, 'ca.pem'), caPem);
      await writeFile(join(tmp, 'ca.key'), readFileSync(f.caKey, 'utf8'), { mode: 0o600 });
      if (existsSync(f.key)) {
        try {
          const k = createPrivateKey(readFileSync(f.key, 'utf8'));
          keepKey = k.asymmetricKeyType === (keyType === 'rsa' ? 'rsa' : 'ec');
        } catch {
          keepKey = false;
        }
        if (keepKey) await writeFile(join(tmp, 'leaf.key'), readFileSync(f.key, 'utf8'), { mode: 0o600 });
      }
    } else await makeCa(tmp, keyType);
    await issueLeaf(tmp, keyType, names, keepKey);
    const [leaf, key, ca, caKey] = await Promise.all(['leaf.pem', 'leaf.key', 'ca.pem', 'ca.key'].map((n) => readFile(join(tmp, n), 'utf8')));
    if (!haveCa) {
      writeSecretFile(f.caKey, caKey);
      writeFileSync(f.ca, ca);
    }
    writeSecretFile(f.key, key);
    writeFileSync(f.cert, leaf);
    return { cert: leaf + ca, key, ca, action: haveCa ? 'reissued' : 'created', caFile: f.ca };
  });
}
