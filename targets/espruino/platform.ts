// The Espruino board as a Platform: net/tls sockets, the board's random sources through SHA-256,
// Storage (flash) for the outbox and the P-256 comb table (read without copying it into JS
// variables), the BigInt-free signer in slices, and new key pairs from the board's RNG.
import { toHex } from '../../src/bytes';
import { fail, KEY_INVALID, OPTION_INVALID } from '../../src/errors';
import { sha256 } from '../../src/hash/sha256'; // the native crypto.SHA256 in the build (targets/espruino/swaps.json)
import { keyPairPems } from '../../src/keys';
import { decodePem } from '../../src/pem';
import type { Platform, Socket, SocketOptions } from '../../src/platform';
import { p256Binding } from '../../src/sign/p256-binding';
import type { CombTable } from '../../src/sign/p256/comb';
import { TABLE_BYTES } from '../../src/sign/p256/comb-shape'; // not comb.ts: its constants would load with the core
import { generateKeyPairFromTable } from '../../src/sign/p256/keypair';
import { binaryString } from './binary';

/** The Storage file holding comb-table.bin (upload it once, see the README). */
const TABLE_FILE = 'akenza-p256.bin';
/** SHA-256 of comb-table.bin, set by the build: the file is checked against it with the native
 *  hash (milliseconds) instead of loadCombTable's 64 on-curve checks (about a second here). */
declare const AKENZA_P256_SHA256: string;

let table: CombTable | null = null;
function combTable(): CombTable {
  if (!table) {
    const buf = require('Storage').readArrayBuffer(TABLE_FILE);
    if (!buf) fail(OPTION_INVALID, 'Storage file ' + TABLE_FILE + ' is missing: upload dist/espruino/' + TABLE_FILE + ' (see the README)');
    const bytes = new Uint8Array(buf as ArrayBuffer);
    if (bytes.length !== TABLE_BYTES || toHex(sha256(bytes)) !== AKENZA_P256_SHA256)
      fail(KEY_INVALID, 'Storage file ' + TABLE_FILE + ' is not the comb table of this build: upload dist/espruino/' + TABLE_FILE);
    table = new Int32Array(buf as ArrayBuffer); // a view on flash, not a copy
  }
  return table;
}

// Random sources. E.hwRand is rand() with a fixed seed on the Linux and ESP32 builds (the same
// numbers after every start); elsewhere (nRF5x, STM32) it samples hardware noise. A classic ESP32
// has a hardware RNG register (random while the radio is on), read with peek32; its other variants
// (C3, S3, ...) keep it at other addresses, not used here. Everything goes through SHA-256 with
// the timing jitter of getTime(), so a weak source adds nothing guessable.
declare const ESP32: unknown;
declare function peek32(addr: number): number;
declare function getTime(): number;
declare const process: { env: { BOARD?: string } } | undefined;
const BOARD = typeof process !== 'undefined' && process.env ? String(process.env.BOARD) : '';
const ESP32_RNG = typeof ESP32 !== 'undefined' && typeof peek32 === 'function' && (BOARD === 'ESP32' || BOARD.indexOf('ESP32') < 0);
/** Whether there is a source good enough for a private key (else generateKeyPair needs randomBytes). */
const STRONG = ESP32_RNG || (BOARD !== 'LINUX' && BOARD.indexOf('ESP') < 0);

let pool: Uint8Array = new Uint8Array(32);
let draws = 0;
/** n bytes from SHA-256 over the pool, the board's sources and getTime() jitter. */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 32) {
    const raw = new Int32Array(26);
    for (let i = 0; i < 16; i++) raw[i] = (ESP32_RNG ? peek32(0x3ff75144) : 0) ^ E.hwRand();
    for (let i = 16; i < 24; i++) raw[i] = (getTime() * 1e6) | 0; // microsecond jitter between reads
    raw[24] = draws++;
    raw[25] = Date.now() | 0;
    const buf = new Uint8Array(136);
    buf.set(pool);
    buf.set(new Uint8Array(raw.buffer), 32);
    pool = sha256(buf);
    buf.set(pool);
    buf[32] ^= 1; // output = H(pool' with a changed byte ...), never the pool itself
    const h = sha256(buf);
    for (let i = 0; i < 32 && o + i < n; i++) out[o + i] = h[i];
  }
  return out;
}

// A signature runs as the staged modules of targets/espruino/mint.ts, each setting its own work per
// turn (comb-module.ts and the others), not here, where it would be variables held for as long as
// the core is loaded.
export const signers = p256Binding({ table: combTable, hash: sha256, extraEntropy: () => randomBytes(32) });

// A connection holds one small object (its state; write and close are shared functions called
// on it) and two closures: the connect callback and one handler for the socket's events and the
// wrapper's own failures. Closures cost ~8-11 variables each here and keep their whole scope
// alive, so they are few and their scope small (not the TLS options: the CA is ~1 KB).
type Ev = (a?: string | boolean | EspruinoSocket | { message?: string; type?: string }, later?: unknown) => void;
// One-letter fields: names ending in _ are the device context's (test/structure/context-names).
interface Conn extends Socket {
  /** the options */
  o: SocketOptions;
  /** the Espruino socket (null when connect threw) */
  s: EspruinoSocket | null;
  /** closed */
  x: boolean;
  /** the connection's event handler */
  f: Ev;
}

function sockWrite(this: Conn, b: Uint8Array): void {
  if (this.x || !this.s) return;
  try {
    this.s.write(binaryString(b));
  } catch (e) {
    this.f(e as Error, 1); // a failed TLS handshake surfaces here (InternalError: mbedtls_ssl_handshake returned ...)
  }
}

// What the socket has not sent: Espruino keeps it in the socket's `dSnd` string (socketserver.c)
// and fires 'drain' when that empties.
function sockUnsent(this: Conn): number {
  return this.s && this.s.dSnd ? this.s.dSnd.length : 0;
}

function sockClose(this: Conn): void {
  try {
    if (!this.x && this.s) this.s.end();
  } catch (e) {
    // a socket whose TLS handshake failed throws here too; it is closed either way
  }
  this.f();
}

function connect(o: SocketOptions): Socket {
  // ev: 'data' (a binary string: Espruino sockets carry those), 'error' (an object {code, message}:
  // socketserver.c's fireErrorEvent), 'drain' (the socket itself), 'close' (a boolean, hadError) or the wrapper's close() (no
  // argument): the first error or close closes, once. With `later`, a thrown socket failure,
  // reported as a socket error on a later turn, never from inside the device's own connect() or
  // write() call, so the device's backoff goes on.
  const ev: Ev = (a, later) => {
    if (c.x) return;
    if (later) {
      const message = String((a && (a as Error).message) || a);
      setTimeout(() => ev({ message }), 0);
    } else if (typeof a === 'string') o.onData(E.toUint8Array(a));
    else if (a && a === c.s) o.onDrain && o.onDrain();
    else {
      const e = a as { message?: string; type?: string };
      if (e && typeof e === 'object') o.onError(new Error(e.message || e.type || 'socket error'));
      c.x = true;
      o.onClose();
    }
  };
  const c: Conn = { o, s: null, x: false, f: ev, write: sockWrite, unsent: sockUnsent, close: sockClose };
  let opts: { host: string; port: number; ca?: string } | null = { host: o.host, port: o.port };
  // Espruino's TLS takes the CA as DER in a binary string (its examples use atob). Espruino 2v29
  // does not verify the server with it (MBEDTLS_SSL_VERIFY_NONE): see the README's security notes.
  if (o.tls && o.tls.ca) opts.ca = binaryString(decodePem(o.tls.ca, ['CERTIFICATE']).der);
  try {
    c.s = require(o.tls ? 'tls' : 'net').connect(opts, () => {
      if (!c.x) o.onConnect();
    });
  } catch (e) {
    ev(e as Error, 1); // e.g. 'Unable to create socket' while the network or broker is down: thrown, not an event
    return c;
  }
  opts = null; // not kept by the closures' scope
  (c.s as EspruinoSocket).on('data', ev);
  (c.s as EspruinoSocket).on('error', ev);
  (c.s as EspruinoSocket).on('close', ev);
  (c.s as EspruinoSocket).on('drain', ev);
  return c;
}

const S = require('Storage');

interface WsModule {
  wsConnect(p: Platform, o: SocketOptions, path: string): Socket;
}

/** Platform.webSocket: the akenza-ws module (loaded with the first WebSocket connection, then cached).
 *  Missing from Storage, each attempt fails as a socket error naming the file, on a later turn. */
function webSocket(o: SocketOptions, path: string): Socket {
  let m: WsModule | null = null;
  try {
    m = require('akenza-ws') as WsModule;
  } catch (e) {}
  if (m) return (m as WsModule).wsConnect(platform, o, path);
  setTimeout(() => {
    o.onError(new Error('Storage file akenza-ws is missing: upload dist/espruino/akenza-ws.js as akenza-ws (see the README)'));
    o.onClose();
  }, 0);
  return { write() {}, close() {} };
}

// The interpreter's own functions where they fit (static natives: no `this` needed), not arrows: a
// function of ours costs 5-7 variables for as long as the core is loaded, a native one none.
export const platform: Platform = {
  // Flash-backed key-value store for outbox.persist (Storage file names are at most 28 characters).
  storage: { get: S.read, set: S.write, remove: S.erase },
  connect,
  setTimeout: setTimeout as Platform['setTimeout'],
  clearTimeout: clearTimeout as Platform['clearTimeout'],
  now: Date.now,
  randomBytes,
  signers,
  webSocket,
};

/**
 * A new ES256 key pair: keep privateKeyPem in Storage, register publicKeyPem. From `source(n)`
 * (n random bytes) when given, else the board's hardware RNG; ENTROPY_UNAVAILABLE where the board
 * has none good enough (the Linux build), rather than a key someone else could make too.
 */
export const generateKeyPair = (source?: (n: number) => Uint8Array) => {
  if (!source && !STRONG)
    fail('ENTROPY_UNAVAILABLE', 'no hardware random source on this board (' + BOARD + '): pass generateKeyPair(randomBytes)');
  const kp = generateKeyPairFromTable(source || randomBytes, combTable());
  return keyPairPems(kp.privateKey, kp.publicKey);
};
