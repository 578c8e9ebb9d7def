// Mock-cloud benchmark: authenticated MQTT connects/s (ES256 and RS256, pre-minted tokens) and QoS 1
// messages/s, against our broker and aedes (same JWT check in its authenticate hook), same client, same run.
// Run: node --import tsx scripts/bench/mock.ts [--runs 5] [--connects 600] [--concurrency 8] [--messages 20000]
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { audienceFor } from '../../src/jwt';
import { checkDeviceJwt } from '../../src/mock/jwt-auth';
import { startMockCloud } from '../../src/mock/index';
import { Registry } from '../../src/mock/registry';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, connects: { type: 'string', default: '600' }, concurrency: { type: 'string', default: '8' }, messages: { type: 'string', default: '20000' } } });
const RUNS = Number(values.runs);
const CONNECTS = Number(values.connects);
const CONC = Number(values.concurrency);
const MESSAGES = Number(values.messages);
const WINDOW = 100;

const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');
function mint(key: KeyObject, id: string): string {
  const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
  const now = Math.floor(Date.now() / 1000);
  const input = b64u(JSON.stringify({ alg, typ: 'JWT' })) + '.' + b64u(JSON.stringify({ aud: 'https://akenza.io/devices/' + id, iat: now - 60, exp: now + 3600 }));
  const sig = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return input + '.' + b64u(sig);
}

// Devices: one per concurrent worker and alg (a clientId is never connected twice at once).
const devices: { id: string; alg: 'ES256' | 'RS256'; token: string; pub: string }[] = [];
for (const alg of ['ES256', 'RS256'] as const) {
  for (let i = 0; i < CONC; i++) {
    const kp = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const id = alg.toLowerCase() + '-' + i;
    devices.push({ id, alg, token: mint(kp.privateKey, id), pub: kp.publicKey.export({ type: 'spki', format: 'pem' }) as string });
  }
}
const registryJson = { devices: devices.map((d) => ({ deviceId: d.id, credentials: [{ publicKey: d.pub }] })), connectors: [] };

// ---- the client: raw mqtt-packet over net, identical for both brokers ----
function openClient(port: number): Promise<{ sock: Socket; next: () => Promise<Packet>; send: (p: Packet) => void; onPacket: (fn: (p: Packet) => void) => void }> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ port, host: '127.0.0.1', noDelay: true });
    const parser = mqttPacket.parser();
    let waiting: ((p: Packet) => void) | null = null;
    let listener: ((p: Packet) => void) | null = null;
    parser.on('packet', (p: Packet) => {
      if (listener) return listener(p);
      const w = waiting;
      waiting = null;
      if (w) w(p);
    });
    sock.on('data', (d) => parser.parse(d));
    sock.on('error', reject);
    sock.on('connect', () =>
      resolve({
        sock,
        next: () => new Promise((res) => (waiting = res)),
        send: (p) => sock.write(mqttPacket.generate(p)),
        onPacket: (fn) => (listener = fn),
      }),
    );
  });
}

async function oneConnect(port: number, d: { id: string; token: string }): Promise<void> {
  const c = await openClient(port);
  c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: d.id, username: 'bench', password: Buffer.from(d.token) });
  const ack = (await c.next()) as { cmd: string; returnCode?: number };
  if (ack.cmd !== 'connack' || ack.returnCode !== 0) throw new Error('connect refused: ' + JSON.stringify(ack));
  c.send({ cmd: 'disconnect' });
  c.sock.end();
  await new Promise((r) => c.sock.once('close', r));
}

async function connectsPerSecond(port: number, alg: 'ES256' | 'RS256'): Promise<number> {
  const devs = devices.filter((d) => d.alg === alg);
  let left = CONNECTS;
  const t0 = process.hrtime.bigint();
  await Promise.all(devs.map(async (d) => {
    while (left > 0) {
      left--;
      await oneConnect(port, d);
    }
  }));
  return CONNECTS / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function qos1PerSecond(port: number): Promise<number> {
  const d = devices[0];
  const c = await openClient(port);
  c.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, clientId: d.id, username: 'bench', password: Buffer.from(d.token) });
  await c.next();
  const payload = Buffer.from(JSON.stringify({ temperature: 21.5, humidity: 40 }));
  let sent = 0;
  let acked = 0;
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < MESSAGES && sent - acked < WINDOW) {
        sent++;
        c.send({ cmd: 'publish', topic: '/up/device/id/' + d.id + '/bench', payload, qos: 1, messageId: (sent % 65535) + 1, dup: false, retain: false });
      }
    };
    c.onPacket((p) => {
      if (p.cmd !== 'puback') return;
      acked++;
      if (acked === MESSAGES) resolve();
      else pump();
    });
    pump();
  });
  const rate = MESSAGES / (Number(process.hrtime.bigint() - t0) / 1e9);
  c.sock.destroy();
  return rate;
}

// ---- the brokers ----
async function startAedes(): Promise<{ port: number; close: () => Promise<void> }> {
  const reg = Registry.fromJson(registryJson); // keys parsed once; jws-verify caches one KeyObject per credential
  const broker = await Aedes.createBroker({
    authenticate: (client, _username, password, done) => {
      const r = checkDeviceJwt(reg.device(client.id), client.id, password ? password.toString('utf8') : '', { audience: audienceFor(client.id), nowMs: Date.now() });
      if (r.ok) return done(null, true);
      const e = new Error(r.reason) as Error & { returnCode: number };
      e.returnCode = r.code;
      done(e as never, false);
    },
    authorizePublish: (client, packet, cb) => {
      const root = '/up/device/id/' + (client ? client.id : '');
      cb(packet.topic === root || packet.topic.startsWith(root + '/') ? null : new Error('acl'));
    },
  });
  const server: Server = createServer(broker.handle as never);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    port: addr.port,
    close: () => new Promise<void>((r) => broker.close(() => server.close(() => r()))),
  };
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const mock = await startMockCloud({ registry: registryJson });
  const aedes = await startAedes();
  const targets = [
    { name: 'mock', port: mock.mqttPort },
    { name: 'aedes', port: aedes.port },
  ];
  const metrics = ['ES256 connects/s', 'RS256 connects/s', 'QoS 1 msgs/s'] as const;
  const results: { [t: string]: { [m: string]: number[] } } = { mock: {}, aedes: {} };
  for (const t of targets) for (const m of metrics) results[t.name][m] = [];
  // Warm-up (JIT, key caches) on both.
  for (const t of targets) {
    await connectsPerSecond(t.port, 'ES256');
    await connectsPerSecond(t.port, 'RS256');
  }
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 ? [...targets].reverse() : targets; // alternate so drift hits both alike
    for (const t of order) {
      results[t.name]['ES256 connects/s'].push(await connectsPerSecond(t.port, 'ES256'));
      results[t.name]['RS256 connects/s'].push(await connectsPerSecond(t.port, 'RS256'));
      results[t.name]['QoS 1 msgs/s'].push(await qos1PerSecond(t.port));
    }
  }
  await mock.close();
  await aedes.close();
  const lines = [
    '| metric | mock (median) | aedes (median) | mock / aedes | mock runs | aedes runs |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of metrics) {
    const a = median(results.mock[m]);
    const b = median(results.aedes[m]);
    const fmt = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    lines.push('| ' + m + ' | ' + Math.round(a) + ' | ' + Math.round(b) + ' | ' + (a / b).toFixed(2) + 'x | ' + fmt(results.mock[m]) + ' | ' + fmt(results.aedes[m]) + ' |');
  }
  console.log('node ' + process.version + ', ' + RUNS + ' runs, ' + CONNECTS + ' connects per run at concurrency ' + CONC + ', ' + MESSAGES + ' QoS 1 messages per run (window ' + WINDOW + ')');
  console.log(lines.join('\n'));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
