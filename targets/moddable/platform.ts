// The platform contract over Moddable's ECMA-419 IO: embedded:io/socket/tcp (and /tcp/tls), the
// `timer` module, and `net` for DNS. Sockets buffer what cannot be written yet and flush on onWritable.
import TCP from 'embedded:io/socket/tcp';
import TLSSocket from 'embedded:io/socket/tcp/tls';
import Net from 'net';
import Timer from 'timer';
import { base64Decode } from '../../src/base64';
import { concatBytes } from '../../src/bytes';
import type { Platform, Socket, SocketOptions } from '../../src/platform';
import type { SignerBinding } from '../../src/sign-jwt';

type Io = { read(count?: number): ArrayBuffer | undefined; write(b: ArrayBuffer): number; close(): void };

/** DER of the first certificate in a PEM, as Moddable's SecureSocket wants trusted CAs. */
function pemToDer(pem: string): ArrayBuffer {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const der = base64Decode(body);
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.length) as ArrayBuffer;
}

function open(o: SocketOptions, address: string): Io {
  let opened = false;
  let queue: Uint8Array | null = null;
  let room = 0; // bytes the socket said it can take (ECMA-419 onWritable count)
  let io: Io;
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
      options.onError((e as Error).message);
    }
  };
  const options = {
    address, host: o.host, port: o.port, nodelay: true, format: 'buffer' as const,
    onWritable(count: number) {
      room = count;
      if (!opened) {
        opened = true;
        o.onConnect();
      }
      flush();
    },
    onReadable(count: number) {
      const b = (this as unknown as Io).read(count);
      if (b) o.onData(new Uint8Array(b));
    },
    onError(message?: string) {
      o.onError(new Error(message || 'socket error'));
      o.onClose();
    },
  };
  // Moddable's TLS wrapper can throw on a certificate failure instead of calling onError: the caller guards it.
  io = o.tls
    ? new TLSSocket({
        ...options,
        host: o.host,
        secure: { protocolVersion: 0x303, serverName: o.tls.servername || o.host, trustedCertificates: o.tls.ca ? [pemToDer(o.tls.ca)] : undefined },
      })
    : new TCP(options);
  return {
    read: (n) => io.read(n),
    write(b: ArrayBuffer) {
      const bytes = new Uint8Array(b);
      queue = queue ? concatBytes([queue, bytes]) : bytes;
      flush();
      return b.byteLength;
    },
    close: () => io.close(),
  };
}

const IP = /^\d{1,3}(\.\d{1,3}){3}$/;

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
  if (IP.test(o.host)) Timer.set(() => start(o.host), 0);
  else Net.resolve(o.host, (_name, address) => (address ? start(address) : fail(new Error('DNS lookup failed for ' + o.host))));
  return {
    write: (b) => {
      if (io && !closed) io.write(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
    },
    close: () => {
      if (closed) return;
      if (io) io.close();
      guarded.onClose();
    },
  };
}

export interface ModdablePlatformOptions {
  /** Random bytes from the hardware RNG; defaults to crypto.getRandomValues where the host has it. */
  randomBytes?: (n: number) => Uint8Array;
}

export function createModdablePlatform(signers: SignerBinding, o?: ModdablePlatformOptions): Platform {
  const rng = (o && o.randomBytes) || defaultRandom;
  return {
    connect,
    setTimeout: (fn, ms) => Timer.set(fn, ms),
    clearTimeout: (h) => Timer.clear(h),
    now: () => Date.now(),
    randomBytes: rng,
    signers,
  };
}

export function defaultRandom(n: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (c && c.getRandomValues) return c.getRandomValues(new Uint8Array(n));
  throw new Error('no random source: pass randomBytes (hardware RNG) to createDevice/createModdablePlatform');
}
