// akenza-device for Espruino (ESP32 and others, no BigInt): net/tls sockets, native crypto.SHA256,
// E.hwRand, and the P-256 comb table read from Storage (flash) without copying it into JS variables.
// Built as one CommonJS module: require('akenza-device') from Storage. ES256 only (RS256 needs BigInt).
import { createDevice as createCoreDevice, type DeviceOptions } from '../../src/device/device';
import { fingerprint } from '../../src/fingerprint';
import { sha256 } from '../../src/hash/sha256'; // the native crypto.SHA256 in the build (see scripts/build.mjs)
import { keyPairPems } from '../../src/keygen';
import { parsePrivateKey, parsePublicKey } from '../../src/keys';
import { AkenzaError, fail, OPTION_INVALID } from '../../src/errors';
import { decodePem } from '../../src/pem';
import type { Platform, Socket, SocketOptions } from '../../src/platform';
import { makeSignJwt } from '../../src/sign-jwt';
import { binaryString } from './binary';
import { p256Binding } from '../../src/sign/p256-binding';
import { loadCombTable, type CombTable } from '../../src/sign/p256/comb';
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';

/** The Storage file holding comb-table.bin (upload it once, see the README). */
const TABLE_FILE = 'akenza-p256.bin';

let table: CombTable | null = null;
function combTable(): CombTable {
  if (!table) {
    const buf = require('Storage').readArrayBuffer(TABLE_FILE);
    if (!buf) fail(OPTION_INVALID, 'Storage file ' + TABLE_FILE + ' is missing: upload dist/espruino/' + TABLE_FILE + ' (see the README)');
    table = loadCombTable(new Uint8Array(buf as ArrayBuffer)); // a view on flash, not a copy
  }
  return table;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    const r = E.hwRand();
    for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (r >> (8 * k)) & 255;
  }
  return out;
}

const signers = p256Binding({ table: combTable, hash: sha256, extraEntropy: () => randomBytes(32) });

function connect(o: SocketOptions): Socket {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    o.onClose();
  };
  const opts: { host: string; port: number; ca?: string } = { host: o.host, port: o.port };
  // Espruino's TLS takes the CA as DER in a binary string (its examples use atob); without one it
  // cannot verify the server, so an mqtts URL needs mqtt.ca here (checked in createDevice).
  if (o.tls && o.tls.ca) opts.ca = binaryString(decodePem(o.tls.ca, ['CERTIFICATE']).der);
  const s = require(o.tls ? 'tls' : 'net').connect(opts, () => {
    if (!closed) o.onConnect();
  });
  // Espruino sockets carry binary strings.
  s.on('data', (d) => {
    if (!closed) o.onData(E.toUint8Array(d));
  });
  s.on('error', (e) => {
    if (closed) return;
    o.onError(new Error(typeof e === 'string' ? e : (e && (e.message || e.type)) || 'socket error'));
    close();
  });
  s.on('close', close);
  return {
    write: (b) => {
      if (!closed) s.write(binaryString(b));
    },
    close: () => {
      if (!closed) s.end();
      close();
    },
  };
}

const platform: Platform = {
  // Flash-backed key-value store for outbox.persist (Storage file names are at most 28 characters).
  storage: {
    get: (k) => require('Storage').read(k),
    set: (k, v) => void require('Storage').write(k, v),
    remove: (k) => require('Storage').erase(k),
  },
  connect,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as number),
  now: () => Date.now(),
  randomBytes,
  signers,
};

exports.createDevice = (options: DeviceOptions) => {
  const m = options && options.mqtt;
  if ((!m || !m.url || /^mqtts:/.test(m.url)) && !(m && m.ca))
    fail(OPTION_INVALID, 'mqtts on Espruino needs mqtt.ca (the CA PEM): without it the server certificate is not verified');
  return createCoreDevice(platform, options);
};
exports.signJwt = makeSignJwt(signers);
exports.parsePrivateKey = parsePrivateKey;
exports.parsePublicKey = parsePublicKey;
exports.fingerprint = fingerprint;
exports.AkenzaError = AkenzaError;
/** A new ES256 key pair from the hardware RNG: keep privateKeyPem in Storage, register publicKeyPem. */
exports.generateKeyPair = () => {
  const kp = generateKeyPairFromTable(randomBytes, combTable());
  return keyPairPems(kp.privateKey, kp.publicKey);
};
