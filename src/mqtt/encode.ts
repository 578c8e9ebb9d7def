// MQTT 3.1.1 encoder (OASIS Standard 2014): packet object -> one Uint8Array.
// Fixed header (2.2) with the Remaining Length in 1 to 4 bytes (2.2.3); the body as laid out
// in body.ts. A packet MQTT 3.1.1 cannot express throws MqttError 'MQTT_INVALID' (a non-object
// where an object or array belongs may throw a TypeError instead); over 268,435,455 remaining
// bytes throws 'MQTT_TOO_LARGE'. Two passes, no per-byte arrays: the body is collected as bytes
// and pieces, then copied once into an exactly sized buffer.
import { walk, type Part } from './body';
import { MqttError } from './errors';
import { HEADER_FLAGS, MAX_REMAINING_LENGTH, PACKET_TYPES, type Packet } from './packets';

export function encode(p: Packet): Uint8Array {
  const t = PACKET_TYPES.indexOf(p.cmd);
  if (t < 1) throw new MqttError('MQTT_INVALID', 'bad cmd');
  let out: Part[] = [];
  const f = walk(t, +HEADER_FLAGS[t], p, out);
  let n = 0;
  let i: number;
  let x: Part;
  for (i = 0; i < out.length; i++) n += typeof (x = out[i]) == 'number' ? 1 : x.length;
  if (n > MAX_REMAINING_LENGTH) throw new MqttError('MQTT_TOO_LARGE', 'length ' + n);
  // fixed header: type and flags, then the Remaining Length, 7 bits a byte, low first,
  // bit 7 set when another byte follows
  const h: Part[] = [(t << 4) | f];
  let r = n;
  do {
    i = r & 127;
    r >>>= 7;
    h.push(r ? i | 128 : i);
  } while (r);
  const buf = new Uint8Array(h.length + n);
  out = h.concat(out);
  r = 0;
  for (i = 0; i < out.length; i++) {
    x = out[i];
    if (typeof x == 'number') buf[r++] = x;
    else if (typeof x == 'string') for (let j = 0; j < x.length; ) buf[r++] = x.charCodeAt(j++);
    else {
      buf.set(x, r);
      r += x.length;
    }
  }
  return buf;
}
