// Mock cloud under abuse (issue 16). Three processes: the mock (its RSS sampled there; a crash is the
// process exiting), the abuse mix of findings 1-6, and this driver with a legitimate client that
// measures connects/s (CONNECT with a JWT -> CONNACK 0 -> DISCONNECT) and QoS 1 msgs/s, first with no
// abuse, then while the abuse runs for --seconds (default 60): empty SUBSCRIBEs, refused 60 KB CoAP
// POSTs and Block1 datagrams, 249 KB `[[],[],...]` QoS 1 uplinks, refused logins with 65,000-character
// ids, oversized PUBLISHes in many TCP splits, secret logins naming the legit devices. Every loop is
// bounded (time and count) and waits for its answer; everything stays on 127.0.0.1.
// Run: npm run soak:mock   (node --import tsx scripts/mock/soak.ts [--seconds 60] [--baseline 20])
import { fork, type ChildProcess } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { CON, encodeCoap, OPT, parseCoap, stringOption, uintOption } from '../../src/uplink/coap/codec';

interface Ports {
  mqtt: number;
  coap: number;
}
type Stats = { rss: { peak: number; now: number }; internalErrors: number; uplinks: number; authLog: number };
type FromChild = { ports: Ports } | Stats | { counts: { [k: string]: number } };
const SELF = fileURLToPath(import.meta.url);
const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const keys = new Map<string, KeyObject>();
function token(id: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT' })) + '.' + b64u(JSON.stringify({ aud: 'https://akenza.io/devices/' + id, iat: now - 60, exp: now + 3600 }));
  return input + '.' + b64u(sign('sha256', Buffer.from(input), { key: keys.get(id)!, dsaEncoding: 'ieee-p1363' }));
}
let ports: Ports = { mqtt: 0, coap: 0 };


// ---------------------------------------------------------------- the mock
async function serve(): Promise<void> {
  const { startMockCloud } = await import('../../src/mock/index');
  process.on('disconnect', () => process.exit(0)); // the driver is gone
  let internalErrors = 0;
  const cloud = await startMockCloud({ registry: JSON.parse(process.env.SOAK_REGISTRY || '{}'), log: (l) => void (/internal error/.test(l) && internalErrors++) });
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  setInterval(sample, 100).unref();
  process.on('message', (m: { cmd: string }) => {
    sample();
    if (m.cmd === 'stats') {
      process.send!({ rss: { peak, now: process.memoryUsage().rss }, internalErrors, uplinks: cloud.uplinks.length, authLog: cloud.authLog.length } satisfies Stats);
      peak = process.memoryUsage().rss; // the next report's peak covers the next phase only
    }
    if (m.cmd === 'stop') cloud.close().then(() => process.exit(0));
  });
  process.send!({ ports: { mqtt: cloud.mqttPort, coap: cloud.coapPort } });
}

function childMessage<T extends FromChild>(child: ChildProcess, pred: (m: FromChild) => m is T): Promise<T> {
  return new Promise<T>((res, rej) => {
    const on = (m: FromChild) => {
      if (!pred(m)) return;
      child.off('message', on);
      res(m);
    };
    child.on('message', on);
    child.once('exit', () => rej(new Error('child exited')));
  });
}

// ---- a raw MQTT client ----
interface Client {
  sock: Socket;
  next(cmd: string, ms?: number): Promise<Packet | null>;
  send(p: Packet): void;
  closed: Promise<void>;
  isClosed(): boolean;
}
const client = (): Promise<Client> =>
  new Promise((resolve, reject) => {
    const sock = netConnect({ host: '127.0.0.1', port: ports.mqtt, noDelay: true });
    const parser = mqttPacket.parser();
    const queue: Packet[] = [];
    let waiter: { cmd: string; fn: (p: Packet | null) => void } | null = null;
    let closedFlag = false;
    const closed = new Promise<void>((res) =>
      sock.on('close', () => {
        closedFlag = true;
        if (waiter) waiter.fn(null);
        res();
      }),
    );
    parser.on('packet', (p: Packet) => {
      if (waiter && waiter.cmd === p.cmd) {
        const w = waiter;
        waiter = null;
        w.fn(p);
      } else if (queue.length < 1000) queue.push(p);
    });
    parser.on('error', () => sock.destroy());
    sock.on('data', (d) => parser.parse(d));
    sock.on('error', () => undefined);
    sock.once('error', reject);
    sock.on('connect', () =>
      resolve({
        sock,
        send: (p) => void (!sock.destroyed && sock.write(mqttPacket.generate(p))),
        closed,
        isClosed: () => closedFlag,
        next: (cmd, ms = 10000) => {
          const i = queue.findIndex((p) => p.cmd === cmd);
          if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
          if (closedFlag) return Promise.resolve(null);
          return new Promise((res) => {
            const t = setTimeout(() => {
              waiter = null;
              res(null);
            }, ms);
            waiter = { cmd, fn: (p) => (clearTimeout(t), res(p)) };
          });
        },
      }),
    );
  });
const connectAs = async (clientId: string, password: string, username = 'device'): Promise<{ code: number; c: Client }> => {
  const c = await client();
  c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId, username, password: Buffer.from(password) });
  const ack = (await c.next('connack')) as { returnCode?: number } | null;
  return { code: ack ? (ack.returnCode as number) : -1, c };
};


// ---------------------------------------------------------------- the abuse mix (its own process)
async function abuseProcess(): Promise<void> {
  for (const [id, pem] of Object.entries(JSON.parse(process.env.SOAK_KEYS || '{}') as { [id: string]: string })) keys.set(id, createPrivateKey(pem));
  ports = JSON.parse(process.env.SOAK_PORTS || '{}') as Ports;
  process.on('disconnect', () => process.exit(0));
  const until = Date.now() + Number(process.env.SOAK_SECONDS) * 1000;
  const counts: { [k: string]: number } = {};
  const count = (k: string) => (counts[k] = (counts[k] || 0) + 1);
  const MAX_ITER = 1_000_000;
  async function loop(name: string, until: number, body: () => Promise<void>): Promise<void> {
    for (let i = 0; i < MAX_ITER && Date.now() < until; i++) {
      try {
        await body();
        count(name);
      } catch {
        count(name + ' (client error)');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
  // 1: authenticated, then an empty SUBSCRIBE
  const emptySubscribe = async () => {
    const { code, c } = await connectAs('abuser-1', token('abuser-1'));
    if (code === 0) c.sock.write(Buffer.from([0x82, 0x02, 0x00, 0x02]));
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 2000))]);
    c.sock.destroy();
  };
  // 2: CoAP, one in flight per loop: refused 60 KB CON POSTs, and Block1 num=2^20-1 / num=0,more=1
  const coapSock = createSocket('udp4');
  await new Promise<void>((r) => coapSock.bind(0, '127.0.0.1', () => r()));
  const coapWait = new Map<number, () => void>();
  coapSock.on('message', (m) => {
    const r = parseCoap(new Uint8Array(m));
    if (typeof r !== 'string') coapWait.get(r.messageId)?.();
  });
  let mid = 0;
  const coapOnce = (payload: Uint8Array, extra: { number: number; value: Uint8Array }[], query: string[]) =>
    new Promise<void>((res) => {
      const id = (mid = (mid + 1) & 0xffff);
      const t = setTimeout(() => (coapWait.delete(id), res()), 1000); // a lost datagram: go on
      coapWait.set(id, () => (clearTimeout(t), coapWait.delete(id), res()));
      const msg = encodeCoap({ type: CON, code: 2, messageId: id, token: new Uint8Array([id >> 8, id & 255]), options: [stringOption(OPT.uriPath, 'v3'), stringOption(OPT.uriPath, 'capture'), uintOption(OPT.contentFormat, 50), ...query.map((q) => stringOption(OPT.uriQuery, q)), ...extra], payload });
      coapSock.send(msg, ports.coap, '127.0.0.1');
    });
  const coap60k = new Uint8Array(60 * 1024).fill(0x20);
  coap60k[0] = 0x7b;
  coap60k[coap60k.length - 1] = 0x7d;
  let coapFlip = 0;
  const coapAbuse = () =>
    coapFlip++ % 4 === 3
      ? coapOnce(new Uint8Array(1024).fill(0x61), [uintOption(27, ((coapFlip & 8 ? 0 : 2 ** 20 - 1) << 4) | 8 | 6)], ['deviceId=abuser-1', 'secret=abuse-secret'])
      : coapOnce(coap60k, [], ['deviceId=abuser-1', 'secret=wrong-' + coapFlip]);
  // 3: authenticated 249 KB QoS 1 `[[],[],...]` uplinks, each waiting for its PUBACK
  const nested = Buffer.from('[' + new Array(83000).fill('[]').join(',') + ']');
  let bigClient: Client | null = null;
  let bigId = 0;
  const bigUplink = async () => {
    if (!bigClient || bigClient.isClosed()) {
      const r = await connectAs('abuser-3', token('abuser-3'));
      if (r.code !== 0) throw new Error('abuser-3 refused ' + r.code);
      bigClient = r.c;
    }
    bigId = (bigId % 65535) + 1;
    bigClient.send({ cmd: 'publish', topic: '/up/device/id/abuser-3/nested', payload: nested, qos: 1, messageId: bigId, dup: false, retain: false });
    if (!(await bigClient.next('puback', 5000))) throw new Error('no PUBACK');
  };
  // 4: refused logins with 65,000-character clientId and username
  const huge = 'x'.repeat(65000);
  let hugeN = 0;
  const hugeLogin = async () => {
    const { c } = await connectAs(huge + hugeN++, hugeN % 2 ? 'a.b.c' : token('abuser-1'), huge);
    c.sock.destroy();
  };
  // 5: an oversized PUBLISH (limit + 1 KB) in one of several TCP split patterns
  const over = mqttPacket.generate({ cmd: 'publish', topic: '/up/device/id/abuser-5/over', payload: Buffer.alloc(262144 + 1024, 0x61), qos: 1, messageId: 1, dup: false, retain: false });
  const patterns = [[over.length], [1, 1, 1, 1, 1, 65536], [7], [1000], [262144], [262145], [5, 262144]];
  let pat = 0;
  const oversized = async () => {
    const { code, c } = await connectAs('abuser-5', token('abuser-5'));
    if (code === 0) {
      const p = patterns[pat++ % patterns.length];
      let pos = 0;
      for (let k = 0; pos < over.length && !c.isClosed() && k < 300000; k++) {
        const n = p[k % p.length];
        c.sock.write(over.subarray(pos, pos + n));
        pos += n;
        if (k % 64 === 0) await new Promise((r) => setImmediate(r));
      }
      if (await c.next('puback', 500)) count('5: OVERSIZED PUBLISH ACKED');
    }
    await Promise.race([c.closed, new Promise((r) => setTimeout(r, 2000))]);
    c.sock.destroy();
  };
  // 6: the connector's secret naming the legit devices (and a gateway clientId)
  const takeover = async () => {
    for (const id of ['legit-pub', 'legit-0', 'gw-soak']) {
      const { code, c } = await connectAs(id, 'abuse-secret', 'conn-abuse');
      if (code === 0 && id !== 'gw-soak') count('6: TAKEOVER ACCEPTED');
      c.sock.destroy();
    }
  };

  await Promise.all([
    loop('1: empty SUBSCRIBE', until, emptySubscribe),
    loop('2: CoAP 60 KB wrong secret / Block1', until, coapAbuse),
    loop('2: CoAP 60 KB wrong secret / Block1 (2nd)', until, coapAbuse),
    loop('3: 249 KB [[],...] QoS 1', until, bigUplink),
    loop('4: 65,000-char clientId login', until, hugeLogin),
    loop('5: oversized PUBLISH', until, oversized),
    loop('6: secret naming another device', until, takeover),
  ]);
  coapSock.close();
  (bigClient as Client | null)?.sock.destroy();
  process.send!({ counts });
  setTimeout(() => process.exit(0), 200);
}

// ---------------------------------------------------------------- the driver and the legit client
async function drive(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, baseline: { type: 'string', default: '20' } } });
  const ABUSE_S = Number(values.seconds);
  const BASE_S = Number(values.baseline);
  const devices: { deviceId: string; credentials: { publicKey: string }[] }[] = [];
  const pems: { [id: string]: string } = {};
  for (const id of ['legit-0', 'legit-1', 'legit-pub', 'abuser-1', 'abuser-3', 'abuser-5']) {
    const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keys.set(id, kp.privateKey);
    pems[id] = kp.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    devices.push({ deviceId: id, credentials: [{ publicKey: kp.publicKey.export({ type: 'spki', format: 'pem' }) as string }] });
  }
  const registry = { devices, connectors: [{ id: 'conn-abuse', uplinkSecret: 'abuse-secret', devices: ['abuser-1', 'abuser-3', 'abuser-5'] }] };
  const child: ChildProcess = fork(SELF, ['--serve'], { execArgv: ['--import', 'tsx'], env: { ...process.env, SOAK_REGISTRY: JSON.stringify(registry) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let crashes = 0;
  let stopping = false;
  process.on('exit', () => child.kill());
  child.on('exit', (code, signal) => {
    if (!stopping) {
      crashes++;
      console.error('THE MOCK EXITED: code ' + code + ' signal ' + signal);
    }
  });
  ports = (await childMessage(child, (m): m is { ports: Ports } => 'ports' in m)).ports;
  const stats = async () => {
    const p = childMessage(child, (m): m is Stats => 'rss' in m);
    child.send({ cmd: 'stats' });
    return p;
  };

  // ---- the legitimate client ----
  let legitErrors = 0;
  async function connectsPerS(seconds: number): Promise<number> {
    const end = Date.now() + seconds * 1000;
    let n = 0;
    const t0 = Date.now();
    await Promise.all(
      ['legit-0', 'legit-1'].map(async (id) => {
        const tok = token(id);
        while (Date.now() < end) {
          const { code, c } = await connectAs(id, tok);
          if (code !== 0) legitErrors++;
          else n++;
          c.send({ cmd: 'disconnect' });
          await c.closed;
        }
      }),
    );
    return n / ((Date.now() - t0) / 1000);
  }
  async function qos1PerS(seconds: number): Promise<number> {
    const { code, c } = await connectAs('legit-pub', token('legit-pub'));
    if (code !== 0) {
      legitErrors++;
      return 0;
    }
    const WINDOW = 50;
    const payload = Buffer.from(JSON.stringify({ temperature: 21.5, humidity: 40, seq: 0 }));
    let acked = 0;
    let sent = 0;
    const end = Date.now() + seconds * 1000;
    const t0 = Date.now();
    await new Promise<void>((done) => {
      const parser = mqttPacket.parser();
      c.sock.removeAllListeners('data');
      c.sock.on('data', (d) => parser.parse(d));
      const pump = () => {
        while (sent - acked < WINDOW && Date.now() < end) {
          sent++;
          c.send({ cmd: 'publish', topic: '/up/device/id/legit-pub/soak', payload, qos: 1, messageId: (sent % 65535) + 1, dup: false, retain: false });
        }
        if (acked === sent && Date.now() >= end) done();
      };
      parser.on('packet', (p: Packet) => {
        if (p.cmd !== 'puback') return;
        acked++;
        pump();
      });
      c.closed.then(() => {
        if (Date.now() < end) legitErrors++; // closed by the mock mid-run
        done();
      });
      pump();
    });
    const rate = acked / ((Date.now() - t0) / 1000);
    c.send({ cmd: 'disconnect' });
    c.sock.destroy();
    return rate;
  }
  async function legitPhase(seconds: number): Promise<{ connects: number; msgs: number }> {
    const half = seconds / 2;
    return { connects: await connectsPerS(half), msgs: await qos1PerS(half) };
  }

  const fmt = (b: number) => (b / 1048576).toFixed(0) + ' MB';
  const startedAt = new Date().toISOString();
  console.log('soak: mock in child pid ' + child.pid + '; baseline ' + BASE_S + ' s, then abuse ' + ABUSE_S + ' s');
  await stats(); // reset the peak after start-up
  const base = await legitPhase(BASE_S);
  const baseStats = await stats();
  console.log('baseline: ' + base.connects.toFixed(0) + ' connects/s, ' + base.msgs.toFixed(0) + ' QoS 1 msgs/s; mock RSS peak ' + fmt(baseStats.rss.peak));

  const until = Date.now() + ABUSE_S * 1000;
  const abuseChild = fork(SELF, ['--abuse'], { execArgv: ['--import', 'tsx'], env: { ...process.env, SOAK_KEYS: JSON.stringify(pems), SOAK_PORTS: JSON.stringify(ports), SOAK_SECONDS: String(ABUSE_S) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const abusers = childMessage(abuseChild, (m): m is { counts: { [k: string]: number } } => 'counts' in m);
  const under: { connects: number; msgs: number }[] = [];
  const CYCLE_S = Math.min(20, ABUSE_S);
  while (Date.now() + CYCLE_S * 1000 <= until + 500) under.push(await legitPhase(CYCLE_S));
  const counts = (await abusers).counts;
  const abuseStats = await stats();
  stopping = true;
  child.send({ cmd: 'stop' });

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const uc = mean(under.map((u) => u.connects));
  const um = mean(under.map((u) => u.msgs));
  const result = {
    startedAt,
    node: process.version,
    abuseSeconds: ABUSE_S,
    baselineSeconds: BASE_S,
    mockRssPeakBaselineMB: +(baseStats.rss.peak / 1048576).toFixed(0),
    mockRssPeakUnderAbuseMB: +(abuseStats.rss.peak / 1048576).toFixed(0),
    mockRssEndMB: +(abuseStats.rss.now / 1048576).toFixed(0),
    legit: {
      connectsPerS: { without: +base.connects.toFixed(0), underAbuse: +uc.toFixed(0), ratio: +(uc / base.connects).toFixed(2), cycles: under.map((u) => +u.connects.toFixed(0)) },
      qos1MsgsPerS: { without: +base.msgs.toFixed(0), underAbuse: +um.toFixed(0), ratio: +(um / base.msgs).toFixed(2), cycles: under.map((u) => +u.msgs.toFixed(0)) },
      errors: legitErrors,
    },
    abuse: counts,
    mock: { crashes, internalErrors: abuseStats.internalErrors, uplinksKept: abuseStats.uplinks, authLogKept: abuseStats.authLog },
  };
  console.log(JSON.stringify(result, null, 2));
  const bad = crashes > 0 || legitErrors > 0 || counts['6: TAKEOVER ACCEPTED'] || counts['5: OVERSIZED PUBLISH ACKED'];
  await new Promise((r) => setTimeout(r, 300));
  process.exit(bad ? 1 : 0);
}

// The role of this process (last: every top-level helper above is initialised by now).
if (process.argv.includes('--serve')) await serve();
else if (process.argv.includes('--abuse')) await abuseProcess();
else await drive();
