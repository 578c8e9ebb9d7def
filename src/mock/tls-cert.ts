// A throwaway TLS identity for the mock's MQTTS listener: a P-256 CA and a leaf for localhost,
// 127.0.0.1 and ::1, made by the openssl CLI (node:crypto cannot issue certificates). One per process.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsIdentity {
  /** Server certificate chain PEM (leaf). */
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

async function generate(): Promise<TlsIdentity> {
  const dir = await mkdtemp(join(tmpdir(), 'akenza-mock-tls-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=akenza-device mock cloud CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
    await openssl(['req', '-new', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost'], dir);
    await writeFile(join(dir, 'leaf.ext'),
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
    await openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '825', '-sha256', '-extfile', 'leaf.ext', '-out', 'leaf.pem'], dir);
    const [cert, key, ca] = await Promise.all(['leaf.pem', 'leaf.key', 'ca.pem'].map((f) => readFile(join(dir, f), 'utf8')));
    return { cert, key, ca };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let cached: Promise<TlsIdentity> | null = null;

/** The process's generated identity (made on first use; the CA key never leaves the temp dir). */
export function generatedTlsIdentity(): Promise<TlsIdentity> {
  if (!cached) {
    cached = generate();
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}
