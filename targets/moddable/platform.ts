// The platform contract over Moddable's ECMA-419 IO: embedded:io/socket/tcp (and /tcp/tls, and
// /udp for the fallback), the `timer` module, and `net` for DNS. Sockets buffer what cannot be written yet and flush on onWritable.
import TCP, { type TCPOptions } from 'embedded:io/socket/tcp';
import TLSSocket from 'embedded:io/socket/tcp/tls';
import UDP from 'embedded:io/socket/udp';
import Net from 'net';
import Timer from 'timer';
import { base64Decode } from '../../src/base64';
import { concatBytes } from '../../src/bytes';
import { fail } from '../../src/errors';
import { wsConnect } from '../../src/mqtt/websocket';
import type { Platform, SignerBinding, Socket, SocketOptions, UdpOptions, UdpSocket } from '../../src/platform';
import { allUplinks } from '../../src/uplink/index';

type Io = { read(count?: number): ArrayBuffer | undefined; write(b: ArrayBuffer): number; close(): void; unsent?(): number };

/** DER of the first certificate in a PEM: Moddable's TLS trusts one CA given as `secure.certificate` (DER). */
function pemToDer(pem: string): ArrayBuffer {
  const m = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(pem);
  const der = base64Decode((m ? m[1] : pem).replace(/\s+/g, ''));
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.length) as ArrayBuffer;
}

type Callbacks = { onReadable(count: number): void; onWritable(count: number): void; onError(message?: string): void };

/**
 * The TCP class handed to Moddable's TLSSocket (its `TCP: { io }` option). TLSSocket runs the
 * handshake and the certificate check inside the TCP socket's callbacks and throws on a failure
 * (a bad certificate, an alert): uncaught there, that aborts the VM. This wrapper catches it,
 * closes the socket and reports it through `failed`, so it becomes an error event.
 */
function guardedTcp(failed: (e: unknown) => void) {
  return class {
    constructor(options: Required<TCPOptions>) {
      let tcp: TCP | null = null;
      const guard = <A>(fn: (a: A) => void) =>
        function (a: A) {
          try {
            fn(a);
          } catch (e) {
            try {
              if (tcp) tcp.close();
            } catch (_) {
              // already closed
            }
            failed(new Error('TLS handshake failed: ' + ((e as Error) && (e as Error).message ? (e as Error).message : String(e))));
          }
        };
      tcp = new TCP({ ...options, onReadable: guard(options.onReadable), onWritable: guard(options.onWritable), onError: guard(options.onError) });
      return tcp; // TLSSocket gets the real socket
    }
  };
}

function open(o: SocketOptions, address: string): Io {
  let opened = false;
  let queue: Uint8Array | null = null;
  let room = 0; // bytes the socket said it can take (ECMA-419 onWritable count)
  let io: Io;
  let dead = false;
  let held = 0; // bytes left unread while too much is unsent (acknowledgements would pile up)
  const full = () => !!queue && queue.length > (o.maxUnsent || Infinity);
  const options = {
    address, port: o.port, nodelay: true, format: 'buffer' as const,
    onWritable(count: number) {
      if (dead) return;
      room = count;
      if (!opened) {
        opened = true;
        o.onConnect();
      }
      const had = !!queue;
      flush();
      if (had && !queue && o.onDrain) o.onDrain();
      if (held && !full()) options.onReadable(held);
    },
    // TLSSocket calls these with `this` bound to an internal object, not the socket: use `io`.
    // Nothing is read while the link is full: the data waits in the network stack (TCP's window).
    onReadable(count: number) {
      if (dead) return;
      held = full() ? count : 0;
      if (held) return;
      const b = io.read(count);
      if (b) o.onData(new Uint8Array(b));
    },
    onError(message?: string) {
      die(new Error(message || 'socket error'));
    },
  };
  const die = (e: unknown) => {
    if (dead) return;
    dead = true;
    o.onError(e instanceof Error ? e : new Error(String(e)));
    o.onClose();
  };
  // Writes no more than the socket has room for; the rest waits for the next onWritable.
  const flush = function () {
    if (!queue || !io || room <= 0) return;
    const n = Math.min(room, queue.length);
    const chunk = queue.subarray(0, n);
    queue = n < queue.length ? queue.subarray(n) : null;
    room -= n;
    try {
      io.write(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + n) as ArrayBuffer);
    } catch (e) {
      die(e);
    }
  };
  if (o.tls) {
    const secure: Record<string, unknown> = {};
    if (o.tls.ca) secure.certificate = pemToDer(o.tls.ca);
    if (o.tls.servername) secure.serverName = o.tls.servername;
    // host: SNI and the certificate's name check (a DNS name, or an IPv4 literal against an IP subjectAltName)
    io = new TLSSocket({ ...options, host: o.tls.servername || o.host, TCP: { io: guardedTcp(die) }, secure });
  } else io = new TCP(options);
  return {
    read: (n) => io.read(n),
    unsent: () => (queue ? queue.length : 0),
    write(b: ArrayBuffer) {
      const bytes = new Uint8Array(b);
      queue = queue ? concatBytes([queue, bytes]) : bytes;
      flush();
      return b.byteLength;
    },
    close: () => {
      dead = true;
      try {
        io.close();
      } catch (_) {
        // already closed (a guarded TLS failure closed the TCP socket)
      }
    },
  };
}

function connect(o: SocketOptions): Socket {
  let io: Io | null = null;
  let closed = false;
  const fail = (e: unknown) => {
    if (closed) return;
    closed = true;
    Timer.set(() => {
      o.onError(e instanceof Error ? e : new Error(String(e)));
      o.onClose();
    }, 0);
  };
  const guarded: SocketOptions = {
    host: o.host, port: o.port, tls: o.tls,
    onConnect: () => !closed && o.onConnect(),
    onData: (b) => !closed && o.onData(b),
    onError: (e) => !closed && o.onError(e),
    onDrain: () => !closed && o.onDrain && o.onDrain(),
    maxUnsent: o.maxUnsent,
    onClose: () => {
      if (closed) return;
      closed = true;
      o.onClose();
    },
  };
  const start = (address: string) => {
    if (closed) return;
    try {
      io = open(guarded, address);
    } catch (e) {
      fail(e);
    }
  };
  // A regex literal, not a module constant: a preloaded RegExp sits in ROM (see badTopic in src/mqtt/packets.ts).
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(o.host)) Timer.set(() => start(o.host), 0);
  else Net.resolve(o.host, (_name, address) => (address ? start(address) : fail(new Error('DNS lookup failed for ' + o.host))));
  return {
    write: (b) => {
      if (io && !closed) io.write(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
    },
    unsent: () => (io && io.unsent ? io.unsent() : 0),
    close: () => {
      if (closed) return;
      if (io) io.close();
      guarded.onClose();
    },
  };
}

/** Platform.udp over ECMA-419 UDP (the CoAP and UDP uplinks): IPv4 only, so a host name is resolved
 *  (Net.resolve, once per name) before its first datagram. */
function udp(o: UdpOptions): UdpSocket {
  let closed = false;
  const names: { [host: string]: string } = {};
  const sock = new UDP({
    onReadable(count) {
      while (count-- > 0) {
        const p = sock.read();
        if (!closed) o.onMessage(new Uint8Array(p), { address: p.address, port: p.port });
      }
    },
    onError() {
      if (!closed && o.onError) o.onError(new Error('UDP socket error'));
    },
  });
  const write = (b: Uint8Array, address: string, port: number) => {
    try {
      sock.write(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer, address, port);
    } catch (e) {
      if (o.onError) o.onError(e instanceof Error ? e : new Error(String(e)));
    }
  };
  return {
    send(bytes, host, port) {
      if (closed) return;
      const known = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host : names[host];
      if (known) return write(bytes, known, port);
      Net.resolve(host, (_name, address) => {
        if (closed) return;
        if (!address) return o.onError && o.onError(new Error('DNS lookup failed for ' + host));
        names[host] = address;
        write(bytes, address, port);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}

export interface ModdablePlatformOptions {
  /**
   * Random bytes from the hardware RNG. The device uses them for reconnect jitter only; without
   * them it uses crypto.getRandomValues where the host has one, else Math.random (fine for jitter).
   */
  randomBytes?: (n: number) => Uint8Array;
}

export function createModdablePlatform(signers: SignerBinding, o?: ModdablePlatformOptions): Platform {
  const rng = (o && o.randomBytes) || jitterRandom;
  const p: Platform = {
    connect,
    setTimeout: (fn, ms) => Timer.set(fn, ms),
    clearTimeout: (h) => Timer.clear(h),
    now: () => Date.now(),
    randomBytes: rng,
    signers,
    // ws:// and wss://: the SDK's RFC 6455 client over the ECMA-419 TCP/TLS socket above
    webSocket: (so, path) => wsConnect(p, so, path),
    // the fallback: HTTP/1.1 over connect(), CoAP and UDP over udp()
    udp,
    uplinks: allUplinks,
  };
  return p;
}

type Crypto = { getRandomValues?(a: Uint8Array): Uint8Array };
const hostCrypto = () => (globalThis as { crypto?: Crypto }).crypto;

/** Never throws (it runs in timers): crypto.getRandomValues where there is one, else Math.random. */
function jitterRandom(n: number): Uint8Array {
  const c = hostCrypto();
  if (c && c.getRandomValues) return c.getRandomValues(new Uint8Array(n));
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (Math.random() * 256) | 0;
  return b;
}

/**
 * The RNG for generateKeyPair when the app passes none: crypto.getRandomValues, which Moddable
 * does not have on lin or ESP32 (its `rng` module and Math.random are not seeded on lin), so
 * there the caller must pass the hardware RNG; without one this throws AkenzaError ENTROPY_UNAVAILABLE.
 */
export function keyRandom(): (n: number) => Uint8Array {
  const c = hostCrypto();
  if (c && c.getRandomValues) return (n) => c.getRandomValues!(new Uint8Array(n));
  return fail('ENTROPY_UNAVAILABLE', 'generateKeyPair needs randomBytes (the hardware RNG): this runtime has no crypto.getRandomValues');
}
