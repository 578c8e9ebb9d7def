// A throwaway TLS identity for the mock's MQTTS listener: a CA and a leaf for localhost, 127.0.0.1
// and ::1, made by the openssl CLI (node:crypto cannot issue certificates). One per key type and process.
// P-256 by default; RSA-2048 for clients whose TLS has only RSA key exchanges (Espruino's mbedTLS).
// The server sends leaf + CA: Moddable's TLS checks subjectAltName only when it gets the whole chain.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
      if (err) reject(new Error('openssl ' + args[0] + ' failed (is the openssl CLI installed?): ' + (stderr || err.message).toString().trim()));
      else resolve();
    });
  });
}

/** Key type of the mock's TLS identity. */
export type TlsKeyType = 'ec' | 'rsa';

async function generate(keyType: TlsKeyType): Promise<TlsIdentity> {
  const dir = await mkdtemp(join(tmpdir(), 'akenza-mock-tls-'));
  try {
    const ec = keyType === 'rsa' ? ['-newkey', 'rsa:2048', '-nodes'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=akenza-device mock cloud CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    await openssl(['req', '-new', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost'], dir);
    await writeFile(join(dir, 'leaf.ext'),
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
    await openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '825', '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.pem'], dir);
    const [leaf, key, ca] = await Promise.all(['leaf.pem', 'leaf.key', 'ca.pem'].map((f) => readFile(join(dir, f), 'utf8')));
    return { cert: leaf + ca, key, ca };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cached: { [k in TlsKeyType]?: Promise<TlsIdentity> } = {};

/** The process's generated identity of that key type (made on first use; the CA key never leaves the temp dir). */
export function generatedTlsIdentity(keyType: TlsKeyType = 'ec'): Promise<TlsIdentity> {
  let id = cached[keyType];
  if (!id) {
    id = cached[keyType] = generate(keyType);
    id.catch(() => {
      delete cached[keyType];
    });
  }
  return id;
}
