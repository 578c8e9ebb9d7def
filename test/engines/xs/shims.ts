// Stand-ins for Moddable's host modules inside the xsnap CLI (which has no IO and no timers):
// `timer` on a virtual clock, `net` DNS, and ECMA-419 TCP sockets whose far end is an in-VM
// MQTT broker built on our codec. The adapter in targets/moddable/platform.ts runs unchanged on them.
import { encode } from '../../../src/mqtt/encode';
import { createParser } from '../../../src/mqtt/parser';
import type { Packet } from '../../../src/mqtt/packets';

// ---- timer ----
let now = 0;
let seq = 0;
let timers: { at: number; seq: number; fn: () => void }[] = [];
export const Timer = {
  set(fn: () => void, ms?: number) {
    const t = { at: now + (ms || 0), seq: seq++, fn };
    timers.push(t);
    return t;
  },
  clear(t: unknown) {
    timers = timers.filter((x) => x !== t);
  },
};
/** Runs due timers in order up to `ms` of virtual time, letting promise jobs run in between. */
export async function advance(ms: number): Promise<void> {
  const end = now + ms;
  for (;;) {
    for (let i = 0; i < 5; i++) await null;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const t = timers[0];
    if (!t || t.at > end) break;
    timers.shift();
    now = Math.max(now, t.at);
    t.fn();
  }
  now = end;
  for (let i = 0; i < 5; i++) await null;
}

// ---- net ----
export const Net = {
  resolve(host: string, cb: (name: string, address?: string) => void) {
    Timer.set(() => cb(host, host === 'broker.test' ? '10.0.0.1' : undefined), 0);
  },
};

// ---- the broker at the far end ----
export const broker = {
  connects: [] as { clientId: string; password: string }[],
  published: [] as { topic: string; payload: string; qos: number; dup: boolean }[],
  writes: [] as number[],
  sockets: [] as TCP[],
};
function brokerPacket(sock: TCP, p: Packet) {
  if (p.cmd === 'connect') {
    const pw = p.password;
    let s = '';
    if (pw instanceof Uint8Array) for (let i = 0; i < pw.length; i++) s += String.fromCharCode(pw[i]);
    else s = pw || '';
    broker.connects.push({ clientId: p.clientId, password: s });
    sock.deliver({ cmd: 'connack', sessionPresent: false, returnCode: 0 });
  } else if (p.cmd === 'publish') {
    let s = '';
    for (let i = 0; i < p.payload.length; i++) s += String.fromCharCode(p.payload[i]);
    broker.published.push({ topic: p.topic, payload: s, qos: p.qos, dup: p.dup });
    if (p.qos === 1) sock.deliver({ cmd: 'puback', messageId: p.messageId as number });
  } else if (p.cmd === 'subscribe') sock.deliver({ cmd: 'suback', messageId: p.messageId, granted: [1] });
  else if (p.cmd === 'pingreq') sock.deliver({ cmd: 'pingresp' });
  else if (p.cmd === 'disconnect') sock.hangUp();
}

// ---- ECMA-419 TCP ----
/** Writable bytes a socket reports at a time: small, so that bursts must be split by the adapter. */
const ROOM = 256;
interface Options {
  address?: string;
  port: number;
  onReadable?(this: TCP, count: number): void;
  onWritable?(this: TCP, count: number): void;
  onError?(this: TCP, message?: string): void;
}
export class TCP {
  private o: Options;
  private inbox: Uint8Array[] = [];
  private open = true;
  private parser = createParser({ maxPacketSize: 1 << 16, onPacket: (p) => brokerPacket(this, p), onError: () => this.hangUp() });
  constructor(o: Options) {
    if (o.address !== '10.0.0.1') throw new Error('unreachable address ' + o.address);
    this.o = o;
    broker.sockets.push(this);
    Timer.set(() => this.open && o.onWritable && o.onWritable.call(this, ROOM), 1);
  }
  read(count?: number): ArrayBuffer | undefined {
    const b = this.inbox.shift();
    if (!b) return undefined;
    void count;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  }
  // Like a real socket: at most ROOM bytes per onWritable, more room once the bytes have "gone out".
  write(buffer: ArrayBuffer): number {
    if (!this.open) throw new Error('write on a closed socket');
    if (buffer.byteLength > ROOM) throw new Error('write of ' + buffer.byteLength + ' bytes exceeds the writable count');
    this.parser.push(new Uint8Array(buffer));
    broker.writes.push(buffer.byteLength);
    Timer.set(() => this.open && this.o.onWritable && this.o.onWritable.call(this, ROOM), 1);
    return buffer.byteLength;
  }
  close(): void {
    this.open = false;
  }
  /** Broker -> device bytes, as a later onReadable. */
  deliver(p: Packet) {
    const b = encode(p);
    Timer.set(() => {
      if (!this.open) return;
      this.inbox.push(b);
      if (this.o.onReadable) this.o.onReadable.call(this, b.length);
    }, 1);
  }
  hangUp() {
    if (!this.open) return;
    this.open = false;
    Timer.set(() => this.o.onError && this.o.onError.call(this, 'connection closed'), 1);
  }
}
export default TCP;
export const TLSSocket = TCP;
