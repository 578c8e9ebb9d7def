// Incremental MQTT 3.1.1 parser (OASIS Standard 2014): bytes in any chunking -> packet objects.
// States, as mqtt-packet walks them: fixed header byte -> Remaining Length (1-4 bytes) ->
// body; push() consumes what it is given and returns when it needs more bytes. Each body is
// copied once into a buffer of its declared size (allocated only after the size check), so
// many small chunks cost O(n), never a re-concatenation of everything buffered.
// Malformed input (chapter 4.8: the receiver closes the connection) and packets over
// maxPacketSize are reported once through onError, never thrown; the parser then stays failed.
import { walk } from './body';
import { MqttError } from './errors';
import { HEADER_FLAGS, PACKET_TYPES, type Packet } from './packets';

export interface ParserOptions {
  /** Largest whole packet accepted, fixed header included. Default 1 MiB. A larger declared
   *  Remaining Length fails with 'MQTT_TOO_LARGE' before any of its body is buffered. */
  maxPacketSize?: number;
  /** Called once per complete packet, synchronously from push(). Must not throw: if it does,
   *  the exception propagates out of push() and the parser stays failed. A push() from inside
   *  it is ignored (no re-entry); close() from inside it stops the rest of the chunk. */
  onPacket: (packet: Packet) => void;
  /** Called at most once, with code 'MQTT_MALFORMED' or 'MQTT_TOO_LARGE'. */
  onError: (err: MqttError) => void;
}

export interface Parser {
  /** Feeds bytes; the parser keeps no reference to `chunk` after returning. */
  push(chunk: Uint8Array): void;
  /** Stops the parser: later and remaining bytes are ignored. Idempotent. */
  close(): void;
}

function malformed(what: string): never {
  throw new MqttError('MQTT_MALFORMED', 'bad ' + what);
}

/** Remaining Length by packet type where it is fixed: CONNACK, PUBACK..PUBCOMP, UNSUBACK 2;
 *  PINGREQ, PINGRESP, DISCONNECT 0 ('x': variable). */
const FIXED_LENGTH = 'xx2x2222xxx2000';

export function createParser(o: ParserOptions): Parser {
  const max = o.maxPacketSize || 1048576;
  let t = 0; // packet type
  let f = 0; // fixed-header flags
  let nh = 0; // fixed-header bytes read so far (0: waiting for a new packet)
  let rem = 0; // Remaining Length (so far)
  let mul = 1;
  let got = 0; // body bytes received
  let body: Uint8Array | null = null; // allocated once the Remaining Length is complete
  let dead = 0; // 1: failed or closed, 2: inside onPacket

  return {
    push: function (c: Uint8Array): void {
      let i = 0;
      let p: Packet | null;
      let b: number;
      while (!dead && i < c.length) {
        p = null;
        try {
          if (!body) {
            b = c[i++];
            if (!nh++) {
              // fixed header byte 1: type 0 and 15 reserved, flags fixed but for PUBLISH,
              // whose QoS must not be 3 (2.2.2)
              t = b >> 4;
              f = b & 15;
              rem = 0;
              mul = 1;
              if (t == 3 ? (f & 6) == 6 : f != +HEADER_FLAGS[t]) malformed('header');
            } else {
              // Remaining Length byte (2.2.3); what is known so far is a lower bound of the size
              rem += (b & 127) * mul;
              mul *= 128;
              if (nh + rem > max) throw new MqttError('MQTT_TOO_LARGE', 'packet over ' + max + ' bytes');
              if (b & 128) {
                if (nh > 4) malformed('length');
              } else {
                if (rem != +FIXED_LENGTH[t] && FIXED_LENGTH[t] < 'x') malformed('length');
                body = new Uint8Array(rem);
                got = 0;
              }
            }
          }
          if (body) {
            b = Math.min(rem - got, c.length - i);
            body.set(c.subarray(i, i + b), got);
            got += b;
            i += b;
            if (got == rem) {
              p = { cmd: PACKET_TYPES[t] } as Packet;
              walk(t, f, p, body);
              body = null;
              nh = 0;
            }
          }
        } catch (e) {
          dead = 1;
          o.onError(e instanceof MqttError ? e : new MqttError('MQTT_MALFORMED', 'internal: ' + e));
          return;
        }
        if (p) {
          dead = 2;
          o.onPacket(p);
          if (dead == 2) dead = 0;
        }
      }
    },
    close: function (): void {
      dead = 1;
    },
  };
}
