// The device's identity on disk: on first run a new ES256 key pair is made and kept (private key mode
// 600, public key beside it, for upload); later runs reuse it, so the registered key stays valid.
import { createPublicKey } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fingerprint, generateKeyPair, parsePrivateKey } from 'akenza-device/node';

/** Loads `<base>.key.pem`, or makes it (and `<base>.pub.pem`) when missing. */
export function loadOrCreateKey(base) {
  const keyFile = base + '.key.pem';
  const pubFile = base + '.pub.pem';
  if (existsSync(keyFile)) {
    const privateKeyPem = readFileSync(keyFile, 'utf8');
    parsePrivateKey(privateKeyPem); // a damaged or unsupported file fails here, with a typed AkenzaError
    // The public half is derived again rather than trusted from a file that may belong to another key.
    const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    if (!existsSync(pubFile)) writeFileSync(pubFile, publicKeyPem);
    return { created: false, keyFile, pubFile, privateKeyPem, publicKeyPem, fingerprint: fingerprint(publicKeyPem) };
  }
  const kp = generateKeyPair();
  writeFileSync(keyFile, kp.privateKeyPem, { mode: 0o600 });
  chmodSync(keyFile, 0o600); // mode only applies when the file is new
  writeFileSync(pubFile, kp.publicKeyPem);
  return { created: true, keyFile, pubFile, privateKeyPem: kp.privateKeyPem, publicKeyPem: kp.publicKeyPem, fingerprint: kp.fingerprint };
}
