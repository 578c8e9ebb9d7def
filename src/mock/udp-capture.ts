// Raw UDP uplinks: each datagram framed per udp-framing.ts, checked like HTTP capture; no reply is
// sent (UDP carries no acknowledgement on the platform); refusals go to the auth log and the log.
import type { RemoteInfo, Socket } from 'node:dgram';
import { checkCapture } from './capture';
import type { CaptureHost } from './capture-host';
import { parseUdpDatagram } from './udp-framing';
import { makeUplink } from './uplinks';

export function handleUdpDatagram(host: CaptureHost, msg: Buffer, from: RemoteInfo): void {
  const frame = parseUdpDatagram(new Uint8Array(msg));
  if (!frame) {
    host.log('udp: dropped a datagram from ' + from.address + ':' + from.port + ': no newline after the query string');
    return;
  }
  if (frame.body.length > host.bodyLimit) return host.log('udp: dropped a datagram larger than ' + host.bodyLimit + ' bytes');
  const r = checkCapture(host.registry(), frame, frame.body);
  if (!r.ok) {
    host.log('udp: refused a datagram from ' + from.address + ':' + from.port + ': ' + r.error);
    host.authLog({ time: host.now(), transport: 'udp', code: r.status, reason: r.error, deviceId: frame.deviceId || undefined, method: 'secret' });
    return;
  }
  host.uplink(makeUplink({ deviceId: r.deviceId, transport: 'udp', topic: r.topic, raw: frame.body.slice(), payload: r.payload, time: host.now(), timestamp: r.timestamp, auth: 'secret' }));
}

export function attachUdp(host: CaptureHost): (sock: Socket) => void {
  return (sock) => {
    sock.on('message', (msg, from) => {
      try {
        handleUdpDatagram(host, msg, from);
      } catch (e) {
        host.log('udp: internal error: ' + (e as Error).message);
      }
    });
  };
}
