// MQTT over WebSocket for targets without a WebSocket client of their own: an RFC 6455 client over
// the platform's TCP/TLS socket (the handshake with subprotocol "mqtt", masked binary frames out,
// frames in), offered to the session as a plain Socket. MQTT 3.1.1 section 6: binary frames only;
// the MQTT parser takes the payload bytes as a stream, so frame and packet boundaries need not agree.
import { base64Encode } from '../base64';
import { sha1 } from '../hash/sha1';
import type { Platform, Socket, SocketOptions } from '../platform';
import { utf8Encode } from '../utf8';
import { MqttError } from './errors';

/** The handshake response may take this many bytes (status line and headers), no more. */
export const WS_MAX_HANDSHAKE = 4096;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A malformed frame or handshake from the peer (MQTT_MALFORMED: the session reports a protocol error). */
function bad(why: string): never {
  throw new MqttError('MQTT_MALFORMED', 'WebSocket: ' + why);
}

/** One client frame: FIN, `op`, masked with a fresh key (RFC 6455 5.3: a client masks every frame). */
export function wsFrame(op: number, payload: Uint8Array, mask: Uint8Array): Uint8Array {
  const n = payload.length;
  const h = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(h + 4 + n);
  out[0] = 0x80 | op;
  if (n < 126) out[1] = 0x80 | n;
  else if (h === 4) {
    out[1] = 0x80 | 126;
    out[2] = n >> 8;
    out[3] = n & 255;
  } else {
    out[1] = 0x80 | 127;
    // (bytes 2-5 stay 0: no frame here reaches 2^32)
    out[6] = (n >>> 24) & 255;
    out[7] = (n >> 16) & 255;
    out[8] = (n >> 8) & 255;
    out[9] = n & 255;
  }
  out.set(mask.subarray(0, 4), h);
  for (let i = 0; i < n; i++) out[h + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

/** The Sec-WebSocket-Accept a server must answer `key` with. */
export function wsAccept(key: string): string {
  return base64Encode(sha1(utf8Encode(key + GUID)));
}

/**
 * Platform.webSocket over platform.connect(): o.onConnect() once the server accepted the upgrade,
 * o.onData() with the payload of its binary frames as they arrive. A data frame is streamed, never
 * held (the MQTT parser bounds packets), a control frame is at most 125 bytes, the handshake
 * response at most WS_MAX_HANDSHAKE: what a server can make this hold is bounded.
 */
export function wsConnect(platform: Platform, o: SocketOptions, path: string): Socket {
  const key = base64Encode(platform.randomBytes(16));
  let head = ''; // the handshake response so far
  let open = false;
  let closed = false;
  // the frame being read: its header bytes, then how much payload is left
  const hdr = new Uint8Array(14);
  let hn = 0;
  let left = 0;
  let op = 0;
  let ctl: Uint8Array | null = null; // a control frame's payload (at most 125 bytes)
  let cn = 0;

  const send = (opcode: number, payload: Uint8Array) => {
    if (!closed) inner.write(wsFrame(opcode, payload, platform.randomBytes(4)));
  };
  const fail = (e: Error) => {
    if (closed) return;
    o.onError(e);
    closed = true;
    inner.close();
  };

  function handshake(b: Uint8Array): Uint8Array | null {
    // header bytes are ASCII; a stray byte above 127 only fails the checks below
    let i = 0;
    for (; i < b.length; i++) {
      head += String.fromCharCode(b[i]);
      if (head.length > WS_MAX_HANDSHAKE) bad('handshake response over ' + WS_MAX_HANDSHAKE + ' bytes');
      if (head.slice(-4) === '\r\n\r\n') break;
    }
    if (i === b.length) return null;
    const lines = head.split('\r\n');
    const status = lines[0].split(' ');
    if (status[0].indexOf('HTTP/1.') !== 0 || status[1] !== '101') {
      // a refusal (404, 401, 502 ...) is the server's answer, not a broken peer: a socket error
      throw new Error('WebSocket upgrade refused: ' + lines[0].slice(0, 100));
    }
    const h: { [name: string]: string } = {};
    for (let j = 1; j < lines.length; j++) {
      const c = lines[j].indexOf(':');
      if (c > 0) h[lines[j].slice(0, c).trim().toLowerCase()] = lines[j].slice(c + 1).trim();
    }
    if ((h.upgrade || '').toLowerCase() !== 'websocket' || (h.connection || '').toLowerCase().indexOf('upgrade') < 0) bad('the 101 response lacks Upgrade: websocket');
    if (h['sec-websocket-accept'] !== wsAccept(key)) bad('wrong Sec-WebSocket-Accept');
    const proto = h['sec-websocket-protocol'];
    if (proto !== undefined && proto !== 'mqtt') bad('the server chose subprotocol ' + proto.slice(0, 40) + ', not mqtt');
    if (h['sec-websocket-extensions']) bad('the server chose extensions none were offered');
    head = '';
    open = true;
    o.onConnect();
    return b.subarray(i + 1);
  }

  function frames(b: Uint8Array): void {
    let i = 0;
    while (i < b.length && !closed) {
      if (left === 0 && !ctl) {
        // header: 2 bytes, then 2 or 8 more for the length
        hdr[hn++] = b[i++];
        if (hn < 2) continue;
        if (hdr[0] & 0x70) bad('reserved bits set (no extension was negotiated)');
        if (hdr[1] & 0x80) bad('a masked frame from the server');
        const l7 = hdr[1] & 127;
        const need = l7 === 126 ? 4 : l7 === 127 ? 10 : 2;
        if (hn < need) continue;
        let n = l7;
        if (l7 === 126) n = (hdr[2] << 8) | hdr[3];
        else if (l7 === 127) {
          if (hdr[2] | hdr[3] | hdr[4] | hdr[5]) bad('a frame length over 2^32');
          n = hdr[6] * 16777216 + ((hdr[7] << 16) | (hdr[8] << 8) | hdr[9]);
        }
        hn = 0;
        op = hdr[0] & 15;
        if (op >= 8) {
          if (!(hdr[0] & 0x80) || n > 125) bad('a fragmented or long control frame');
          ctl = new Uint8Array(n);
          cn = 0;
        } else if (op === 1) bad('a text frame (MQTT travels in binary frames)');
        else if (op > 2) bad('unknown opcode ' + op);
        left = n;
        if (n > 0) continue;
      }
      const take = Math.min(left, b.length - i);
      if (ctl) {
        ctl.set(b.subarray(i, i + take), cn);
        cn += take;
      } else if (take) o.onData(b.subarray(i, i + take));
      i += take;
      left -= take;
      if (left === 0 && ctl) {
        const p = ctl;
        ctl = null;
        if (op === 9) send(10, p); // ping: pong with its payload
        else if (op === 8) {
          // the server closes: echo its status code (RFC 6455 5.5.1), then the socket ends
          send(8, p.subarray(0, 2));
          closed = true;
          inner.close();
        }
      }
    }
  }

  const inner = platform.connect({
    host: o.host,
    port: o.port,
    tls: o.tls,
    onConnect() {
      const port = o.port === (o.tls ? 443 : 80) ? '' : ':' + o.port;
      const host = o.host.indexOf(':') >= 0 ? '[' + o.host + ']' : o.host;
      inner.write(utf8Encode('GET ' + path + ' HTTP/1.1\r\nHost: ' + host + port + '\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ' + key +
        '\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n'));
    },
    onData(b: Uint8Array) {
      if (closed) return;
      try {
        const rest = open ? b : handshake(b);
        if (rest && rest.length) frames(rest);
      } catch (e) {
        fail(e as Error);
      }
    },
    onError(e: Error) {
      if (!closed) o.onError(e);
    },
    onClose() {
      closed = true;
      o.onClose();
    },
    // backpressure passes through: the frames' bytes are what waits
    onDrain() {
      if (open && o.onDrain) o.onDrain();
    },
    maxUnsent: o.maxUnsent,
  });
  return {
    write(b: Uint8Array) {
      if (open) send(2, b);
    },
    unsent: () => (inner.unsent ? inner.unsent() : 0),
    close() {
      if (closed) return;
      if (open) send(8, new Uint8Array([3, 232])); // 1000: normal closure
      closed = true;
      inner.close();
    },
  };
}
