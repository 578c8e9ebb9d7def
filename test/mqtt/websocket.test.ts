// The core's RFC 6455 client (src/mqtt/websocket.ts) against a scripted server: byte fixtures for the
// frames it writes, the handshake it checks, and every malformed or abusive thing a server can send
// (each an error that closes the socket, with what it buffered bounded by counted bytes).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WS_MAX_HANDSHAKE, wsAccept, wsConnect, wsFrame } from '../../src/mqtt/websocket';
import type { Platform, SocketOptions } from '../../src/platform';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('frames the client writes', () => {
  const mask = new Uint8Array([1, 2, 3, 4]);
  it('masked binary frames with the 7-bit, 16-bit and 64-bit lengths (RFC 6455 5.2)', () => {
    expect(hex(wsFrame(2, new Uint8Array([0x10, 0x20, 0x30]), mask))).toBe('8283' + '01020304' + '112233');
    expect(hex(wsFrame(2, new Uint8Array(0), mask))).toBe('8280' + '01020304');
    const at = (n: number) => wsFrame(2, new Uint8Array(n), mask);
    expect(hex(at(125).subarray(0, 2))).toBe('82fd');
    expect(hex(at(126).subarray(0, 4))).toBe('82fe007e');
    expect(hex(at(65535).subarray(0, 4))).toBe('82feffff');
    expect(hex(at(65536).subarray(0, 10))).toBe('82ff0000000000010000');
    expect(at(65536).length).toBe(10 + 4 + 65536);
    // the payload is XORed with the key, byte i with key[i % 4]
    expect(hex(at(6).subarray(6))).toBe('010203040102');
  });
  it('Sec-WebSocket-Accept: the RFC 6455 section 1.3 example, and node:crypto for a random key', () => {
    expect(wsAccept('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const key = Buffer.from('0123456789abcdef').toString('base64');
    expect(wsAccept(key)).toBe(createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64'));
  });
});

/** A client over an in-memory socket: `serve` gets what the client wrote; `push` delivers server bytes. */
function scripted() {
  const written: Uint8Array[] = [];
  const got: Uint8Array[] = [];
  const events: string[] = [];
  let inner: SocketOptions | null = null;
  let closed = false;
  const platform = {
    randomBytes: (n: number) => new Uint8Array(n).fill(7),
    connect(o: SocketOptions) {
      inner = o;
      return { write: (b: Uint8Array) => written.push(b.slice()), close: () => { if (!closed) { closed = true; o.onClose(); } } };
    },
  } as unknown as Platform;
  const o: SocketOptions = {
    host: 'broker.test', port: 8080,
    onConnect: () => events.push('connect'),
    onData: (b) => got.push(b.slice()),
    onError: (e) => events.push('error: ' + e.message + ((e as { code?: string }).code ? ' [' + (e as { code?: string }).code + ']' : '')),
    onClose: () => events.push('close'),
  };
  const sock = wsConnect(platform, o, '/mqtt');
  const key = Buffer.from(new Uint8Array(16).fill(7)).toString('base64');
  const push = (b: Uint8Array | string) => (inner as SocketOptions).onData(typeof b === 'string' ? new Uint8Array(Buffer.from(b, 'latin1')) : b);
  const accept = (extra = '') => push('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ' + wsAccept(key) + '\r\nSec-WebSocket-Protocol: mqtt\r\n' + extra + '\r\n');
  (inner as unknown as SocketOptions).onConnect();
  return { sock, written, got, events, push, accept, isClosed: () => closed, bytes: () => Buffer.concat(got) };
}

/** A server frame (unmasked). */
const frame = (b0: number, payload: number[] | Uint8Array) => {
  const p = Uint8Array.from(payload);
  const h = p.length < 126 ? [b0, p.length] : [b0, 126, p.length >> 8, p.length & 255];
  return Uint8Array.from([...h, ...p]);
};

describe('the handshake', () => {
  it('sends the upgrade request, then hands binary payloads up as a stream', () => {
    const t = scripted();
    const req = Buffer.from(t.written[0]).toString('latin1');
    expect(req).toBe('GET /mqtt HTTP/1.1\r\nHost: broker.test:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: BwcHBwcHBwcHBwcHBwcHBw==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n');
    t.sock.write(new Uint8Array([0xc0, 0])); // not before the upgrade: nothing written
    expect(t.written.length).toBe(1);
    // the 101 and the first frame in one read; a CONNACK split over two frames (one fragmented message)
    const head = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-accept: ' + wsAccept('BwcHBwcHBwcHBwcHBwcHBw==') + '\r\n\r\n', 'latin1');
    t.push(new Uint8Array([...head, ...frame(0x02, [0x20, 0x02])]));
    t.push(frame(0x80, [0x00, 0x00]));
    expect(t.events).toEqual(['connect']);
    expect(hex(t.bytes())).toBe('20020000');
    t.sock.write(new Uint8Array([0xc0, 0x00])); // PINGREQ, masked with the key 07070707
    expect(hex(t.written[1])).toBe('8282' + '07070707' + 'c707');
  });

  it('refusals and broken answers: an error naming it, the socket closed', () => {
    const cases: [string, RegExp][] = [
      ['HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n', /^error: WebSocket upgrade refused: HTTP\/1.1 404 Not Found$/],
      ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n', /wrong Sec-WebSocket-Accept \[MQTT_MALFORMED\]/],
      ['HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n', /lacks Upgrade: websocket/],
    ];
    for (const [answer, re] of cases) {
      const t = scripted();
      t.push(answer);
      expect(t.events[0]).toMatch(re);
      expect(t.events.slice(1)).toEqual(['close']);
      expect(t.isClosed()).toBe(true);
    }
    const other = scripted();
    other.accept('Sec-WebSocket-Extensions: permessage-deflate\r\n');
    expect(other.events[0]).toMatch(/extensions none were offered/);
  });

  it('an endless header is cut at WS_MAX_HANDSHAKE bytes (counted), not buffered', () => {
    const t = scripted();
    const line = 'X-Junk: ' + 'a'.repeat(90) + '\r\n';
    let sent = 'HTTP/1.1 101 Switching Protocols\r\n'.length;
    t.push('HTTP/1.1 101 Switching Protocols\r\n');
    while (!t.isClosed() && sent < 1_000_000) {
      t.push(line);
      sent += line.length;
    }
    expect(t.events[0]).toMatch(new RegExp('handshake response over ' + WS_MAX_HANDSHAKE + ' bytes'));
    expect(sent).toBeLessThanOrEqual(WS_MAX_HANDSHAKE + line.length);
    t.push(line); // after the close: ignored
    expect(t.events).toEqual([t.events[0], 'close']);
  });
});

describe('frames from a hostile server', () => {
  const open = () => {
    const t = scripted();
    t.accept();
    expect(t.events).toEqual(['connect']);
    return t;
  };
  it('a ping is answered with a pong carrying its payload; a pong is ignored', () => {
    const t = open();
    t.push(frame(0x89, [1, 2, 3]));
    t.push(frame(0x8a, [9]));
    expect(hex(t.written[1])).toBe('8a83' + '07070707' + '060504');
    expect(t.written.length).toBe(2);
    expect(t.events).toEqual(['connect']);
  });
  it('a close is echoed with its status code and ends the socket', () => {
    const t = open();
    t.push(frame(0x88, [0x03, 0xe8, 0x62, 0x79, 0x65]));
    expect(hex(t.written[1])).toBe('8882' + '07070707' + '04ef');
    expect(t.events).toEqual(['connect', 'close']);
  });
  it('each violation is an MQTT_MALFORMED error that closes the socket', () => {
    const cases: [Uint8Array, RegExp][] = [
      [Uint8Array.from([0x82, 0x81, 1, 2, 3, 4, 5]), /a masked frame from the server/],
      [frame(0x81, [0x41]), /a text frame/],
      [frame(0xc2, [0]), /reserved bits/],
      [frame(0x83, [0]), /unknown opcode 3/],
      [frame(0x09, [0]), /fragmented or long control frame/],
      [Uint8Array.from([0x89, 126, 0, 200]), /fragmented or long control frame/],
      [Uint8Array.from([0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0]), /a frame length over 2\^32/],
    ];
    for (const [bytes, re] of cases) {
      const t = open();
      t.push(bytes);
      expect(t.events[1]).toMatch(re);
      expect(t.events[1]).toMatch(/\[MQTT_MALFORMED\]$/);
      expect(t.events.slice(2)).toEqual(['close']);
    }
  });
  it('a huge data frame is streamed, not held: its bytes go up as they come (the MQTT parser bounds packets)', () => {
    const t = open();
    t.push(Uint8Array.from([0x82, 127, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff])); // 2 GB announced
    let held = 0;
    for (let i = 0; i < 64; i++) {
      t.push(new Uint8Array(1024).fill(i));
      held = Math.max(held, t.got[t.got.length - 1].length);
    }
    expect(t.bytes().length).toBe(64 * 1024); // each read handed up at once
    expect(held).toBe(1024);
    expect(t.events).toEqual(['connect']);
  });
  it('frames split at every byte boundary give the same stream', () => {
    const t = open();
    const stream = new Uint8Array([...frame(0x82, Array.from({ length: 200 }, (_, i) => i & 255)), ...frame(0x89, [5]), ...frame(0x80, [1, 2])]);
    for (const b of stream) t.push(Uint8Array.of(b));
    expect(t.bytes().length).toBe(202);
    expect(hex(t.bytes().subarray(198))).toBe('c6c70102');
    expect(t.events).toEqual(['connect']);
    expect(t.written.length).toBe(2); // the pong
  });
});
