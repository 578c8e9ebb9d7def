// The akenza-fallback Storage module (targets/espruino/modules.json): the device's fallback uplinks
// (src/device/fallback.ts, the same policy as every target) with their transports: HTTP/1.1 over the
// core's net/tls sockets, CoAP and raw UDP over Espruino's dgram. Loaded by the core's
// targets/espruino/fallback.ts for an outage of a device with a `fallback` list.
import { createFallback as withPlatform } from '../../src/device/fallback';
import type { FallbackContext } from '../../src/device/fallback-context';
import type { Platform, UdpOptions, UdpSocket } from '../../src/platform';
import { allUplinks } from '../../src/uplink/index';
import { binaryString } from './binary';

interface Dgram {
  on(event: 'message', fn: (msg: string, info: { address: string; port: number }) => void): void;
  on(event: 'error' | 'close', fn: (e?: { message?: string }) => void): void;
  send(msg: string, port: number, address: string): void;
  close(): void;
}

/** Platform.udp over dgram: one socket per call; replies come back to it (its 'message' events). */
function udp(o: UdpOptions): UdpSocket {
  let closed = false;
  const s = (require('dgram') as { createSocket(type: string): Dgram }).createSocket('udp4');
  s.on('message', (msg, info) => {
    if (!closed) o.onMessage(E.toUint8Array(msg), { address: info.address, port: info.port });
  });
  s.on('error', (e) => {
    if (!closed && o.onError) o.onError(new Error((e && e.message) || 'UDP socket error'));
  });
  return {
    send(bytes, host, port) {
      if (closed) return;
      try {
        s.send(binaryString(bytes), port, host);
      } catch (e) {
        if (o.onError) o.onError(e as Error);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      s.close();
    },
  };
}

exports.createFallback = (c: FallbackContext) => {
  // the core's platform with this module's UDP and transports (a copy would cost a variable per property)
  const p: Platform = Object.create(c.platform);
  p.udp = udp;
  p.uplinks = allUplinks;
  c.platform = p;
  return withPlatform(c);
};
