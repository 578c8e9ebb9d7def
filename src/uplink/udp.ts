// Raw UDP uplinks (the default framing of docs/protocol.md, "UDP uplinks"): one datagram per uplink. UDP has no
// acknowledgement, so "delivered" means handed to the platform's socket without an error; a
// socket error reported before the next send fails that send and later ones are retried. A
// datagram over maxDatagramBytes is refused up front ('rejected'): no retry would ever carry it.
import type { Platform, UdpSocket } from '../platform';
import { concatBytes } from '../bytes';
import { utf8Encode } from '../utf8';
import { buildQuery, MAX_DATAGRAM, redact, splitUrl, tooBig } from './common';
import type { UplinkRequest, UplinkTransport } from './types';

/** The framing, alone so it can change: `deviceId=..&secret=..&topic=..[&timestamp=..]`, '\n', the JSON. */
export function frameUdpUplink(u: UplinkRequest, secret: string): Uint8Array {
  const head = buildQuery([['deviceId', u.deviceId], ['secret', secret], ['topic', u.topic], ['timestamp', u.timestamp]]);
  return concatBytes([utf8Encode(head + '\n'), u.payload]);
}

export interface UdpUplinkOptions {
  /** udp://host:port */
  url: string;
  secret: string;
  /** Largest datagram sent (bytes, framing included). Default 65507, IPv4's limit. */
  maxDatagramBytes?: number;
}

export function createUdpUplink(platform: Platform, o: UdpUplinkOptions): UplinkTransport {
  const u = splitUrl(o.url);
  if (!u || u.scheme !== 'udp' || !u.port) throw new Error('fallback udp url must look like udp://host:port (port 1-65535)');
  const max = o.maxDatagramBytes || MAX_DATAGRAM;
  let sock: UdpSocket | null = null;
  let lastError: Error | null = null;
  return {
    type: 'udp',
    send(r, cb) {
      // The result after a turn of the event loop, so a socket error raised by this send fails it.
      const done = (e: Error | null) =>
        platform.setTimeout(() => {
          const err = e || lastError;
          lastError = null;
          cb(err ? { outcome: tooBig(err) ? 'rejected' : 'retry', message: redact('UDP: ' + err.message, o.secret) } : { outcome: 'ok', message: 'UDP: sent (unacknowledged)' });
        }, 0);
      if (!platform.udp) return void done(new Error('this platform has no UDP'));
      const bytes = frameUdpUplink(r, o.secret);
      if (bytes.length > max) return void done(Object.assign(new Error('datagram of ' + bytes.length + ' bytes exceeds ' + max), { code: 'EMSGSIZE' }));
      if (!sock)
        sock = platform.udp({
          onMessage: () => undefined,
          onError: (e) => {
            lastError = e;
            const s = sock;
            sock = null;
            if (s) s.close();
          },
        });
      try {
        sock.send(bytes, u.host, u.port);
      } catch (e) {
        return void done(e as Error); // e.g. Node's dgram throws at once for a bad port
      }
      done(null);
    },
    close() {
      const s = sock;
      sock = null;
      if (s) s.close();
    },
  };
}
