// Encrypted private keys in Node: node:crypto decrypts them into plain PKCS#8 PEM, held in memory only
// (the portable key parser refuses them with KEY_ENCRYPTED). Shared by akenza-device/node's
// `passphrase` options and the CLI's --passphrase-file.
import { createPrivateKey } from 'node:crypto';
import { fail, KEY_ENCRYPTED, OPTION_INVALID } from '../../src/errors';
import type { PrivateKeyInput } from '../../src/keys';

/**
 * Decrypts an encrypted private key (PKCS#8 `ENCRYPTED PRIVATE KEY` in PEM or DER, or a legacy
 * encrypted PEM) with `passphrase`; returns it as plain PKCS#8 PEM. A wrong passphrase is an
 * AkenzaError KEY_ENCRYPTED whose message never holds the passphrase. An unencrypted key comes back
 * as PKCS#8 PEM too.
 */
export function decryptPrivateKey(key: string | Uint8Array, passphrase: string | Uint8Array): string {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) fail(OPTION_INVALID, 'a passphrase goes with a PEM or DER private key');
  if (typeof passphrase !== 'string' && !(passphrase instanceof Uint8Array)) fail(OPTION_INVALID, 'the passphrase must be a string or bytes');
  const pass = typeof passphrase === 'string' ? passphrase : Buffer.from(passphrase);
  try {
    const k =
      typeof key === 'string'
        ? createPrivateKey({ key, format: 'pem', passphrase: pass })
        : createPrivateKey({ key: Buffer.from(key), format: 'der', type: 'pkcs8', passphrase: pass });
    return k.export({ format: 'pem', type: 'pkcs8' }) as string;
  } catch (e) {
    // node:crypto's code only: its message is not ours to vouch for
    const code = (e as { code?: unknown }).code;
    return fail(KEY_ENCRYPTED, 'cannot decrypt the private key with the passphrase given (' + (typeof code === 'string' ? code : 'node:crypto refused it') + ')');
  }
}

interface Decrypted {
  key: PrivateKeyInput;
  passphrase: string | Uint8Array;
  plain: string;
}
let decrypted: Decrypted[] = [];

/**
 * decryptPrivateKey for an options object, remembering the last 8 results by key and passphrase, so
 * a key decrypted once yields the same string again (signJwt's key cache then hits it too).
 */
export function decryptedOnce(key: PrivateKeyInput, passphrase: string | Uint8Array): string {
  for (const d of decrypted) if (d.key === key && d.passphrase === passphrase) return d.plain;
  const plain = decryptPrivateKey(key as string | Uint8Array, passphrase);
  decrypted = [{ key, passphrase, plain }].concat(decrypted.slice(0, 7));
  return plain;
}
