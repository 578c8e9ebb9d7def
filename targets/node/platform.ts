// The platform contract over Node: node:net / node:tls sockets, timers, performance.now, node:crypto.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup } from 'node:dns';
import { isIPv6 } from 'node:net';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HttpRequest, HttpResponse, Platform, Socket, SocketOptions, UdpOptions, UdpSocket } from '../../src/platform';
import { allUplinks } from '../../src/uplink/index';
import { nodeSigners } from './sign-node';
import { wsConnect } from '../../src/mqtt/websocket';
import { wsPackageClient } from './websocket';

/**
 * unsent() is what Node holds for the socket (writableLength): bytes the kernel has not taken. A
 * write's callback runs once its bytes went to the kernel; when Node's buffer is empty again after
 * it held something, onDrain. Above o.maxUnsent unsent bytes the socket stops reading until then.
 */
function connect(o: SocketOptions): Socket {
  let done = false;
  let held = false;
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
  const written = () => {
    if (!held || s.writableLength) return;
    held = false;
    s.resume();
    if (!done && o.onDrain) o.onDrain();
  };
  return {
    write: (bytes) => {
      if (s.destroyed) return;
      s.write(bytes, written);
      if (!s.writableLength) return;
      held = true;
      if (s.writableLength > (o.maxUnsent || Infinity)) s.pause();
    },
    unsent: () => s.writableLength,
    // end() lets a just-written DISCONNECT (and the TLS close_notify) go out; destroy() follows
    // if the peer does not close its side soon.
    close: () => {
      if (s.destroyed) return;
      s.end();
      setTimeout(() => s.destroy(), 2000).unref();
    },
  };
}

/**
 * One HTTP request over node:http(s); Content-Length always set. Finishes on the response head
 * (the status decides; the body is drained unread), and returns a function that aborts it.
 */
function http(req: HttpRequest, cb: (err: Error | null, res?: HttpResponse) => void): () => void {
  let done = false;
  const finish = (err: Error | null, res?: HttpResponse) => {
    if (done) return;
    done = true;
    cb(err, res);
  };
  try {
    const tls = /^https:/i.test(req.url);
    const headers: { [k: string]: string | number } = { ...req.headers, 'content-length': req.body.length };
    const r = (tls ? httpsRequest : httpRequest)(req.url, { method: req.method, headers, ca: tls ? req.ca : undefined, timeout: req.timeoutMs }, (res) => {
      res.on('error', () => undefined); // after the head nothing can change the outcome
      res.resume();
      const h: { [k: string]: string } = {};
      for (const k in res.headers) {
        const v = res.headers[k];
        if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
      }
      finish(null, { status: res.statusCode || 0, headers: h, body: new Uint8Array(0) });
    });
    // The socket idle timeout, and an overall one (a slow trickle must not hold a send forever).
    const overall = setTimeout(() => r.destroy(new Error('no response within ' + req.timeoutMs + ' ms')), req.timeoutMs);
    r.on('close', () => clearTimeout(overall));
    r.on('timeout', () => r.destroy(new Error('no response within ' + req.timeoutMs + ' ms')));
    r.on('error', (e) => finish(new Error(e.message))); // not the request object: it names the URL
    r.end(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.length));
    return () => r.destroy(new Error('aborted'));
  } catch (e) {
    const err = e as Error;
    setImmediate(() => finish(err));
    return () => undefined;
  }
}

/** A UDP socket over node:dgram (IPv4, or IPv6 when first used with an IPv6 literal). Each send
 *  resolves the host first (as dgram would) and sends to that address, which `sentTo` reports. */
function udp(o: UdpOptions): UdpSocket {
  let s: ReturnType<typeof createSocket> | null = null;
  let v6 = false;
  let closed = false;
  const open = (v6: boolean) => {
    const sock = createSocket(v6 ? 'udp6' : 'udp4');
    sock.on('message', (m, from) => {
      if (!closed) o.onMessage(new Uint8Array(m.buffer, m.byteOffset, m.length), { address: from.address, port: from.port });
    });
    sock.on('error', (e) => {
      if (!closed && o.onError) o.onError(e);
    });
    return sock;
  };
  return {
    send(bytes, host, port, sentTo) {
      if (closed) return;
      if (!s) s = open((v6 = isIPv6(host)));
      const sock = s;
      const failed = (e: Error | null) => {
        if (e && !closed && o.onError) o.onError(e);
      };
      lookup(host, { family: v6 ? 6 : 4 }, (e, address) => {
        if (e || closed) return failed(e);
        if (sentTo) sentTo(address);
        sock.send(bytes, port, address, failed);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      if (s) s.close();
    },
  };
}

/**
 * The Node platform: node:net/tls sockets, timers, wall and monotonic clocks, node:crypto RNG, HTTP and
 * UDP for the fallbacks. No storage: pass one to createDevice to persist the outbox.
 */
export const nodePlatform: Platform = {
  connect,
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  now: () => Date.now(),
  monotonic: () => performance.now(),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  signers: nodeSigners,
  webSocket: wsPackageClient() || ((o, path) => wsConnect(nodePlatform, o, path)),
  http,
  udp,
  uplinks: allUplinks,
};
