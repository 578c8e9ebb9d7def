// The platform contract over Node: node:net / node:tls sockets, timers, performance.now, node:crypto.
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Platform, Socket, SocketOptions } from '../../src/platform';
import { nodeSigners } from './sign-node';

function connect(o: SocketOptions): Socket {
  let done = false;
  const s = o.tls
    ? tlsConnect({ host: o.host, port: o.port, ca: o.tls.ca, servername: o.tls.servername || (/^[\d.:]+$/.test(o.host) ? undefined : o.host), minVersion: 'TLSv1.2' })
    : netConnect({ host: o.host, port: o.port });
  s.setNoDelay(true);
  s.once(o.tls ? 'secureConnect' : 'connect', () => o.onConnect());
  s.on('data', (b: Buffer) => o.onData(new Uint8Array(b.buffer, b.byteOffset, b.length)));
  s.on('error', (e) => {
    if (!done) o.onError(e);
  });
  s.on('close', () => {
    if (done) return;
    done = true;
    o.onClose();
  });
  return {
    write: (bytes) => {
      if (!s.destroyed) s.write(bytes);
    },
    close: () => {
      if (!s.destroyed) s.destroy();
    },
  };
}

export const nodePlatform: Platform = {
  connect,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
  monotonic: () => performance.now(),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  signers: nodeSigners,
};
