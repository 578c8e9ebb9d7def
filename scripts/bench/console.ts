// The mock's throughput with its web console open vs closed (issue 20), in one run: the mock in a
// child process with 1,000 registered devices, all connected from this process over raw MQTT
// (node:crypto tokens) and publishing QoS 1 closed-loop (each sends its next message when the PUBACK
// is back) as fast as the mock acknowledges. Rounds alternate: console closed (the browser on
// about:blank), the event stream read by this process without a browser (the mock's own cost), and
// console open (headless Chromium on the console, its event stream live: the browser's CPU counts
// too, on the same cores); the medians of each and their ratios are printed. Then the page at a fixed 1,000 msgs/s: frames drawn
// per second, long tasks (over 50 ms) and the rows it keeps in its tables.
// Run: npm run bench:console   (node --import tsx scripts/bench/console.ts [--rounds 5] [--seconds 5])
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { launchChromium } from '../console/chromium';

const SELF = fileURLToPath(import.meta.url);
const DEVICES = 1000;
const b64u = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Ports = { mqtt: number; consoleUrl: string; adminToken: string };

async function serve(): Promise<void> {
  const { startMockCloud } = await import('../../src/mock/index');
  process.on('disconnect', () => process.exit(0));
  const cloud = await startMockCloud({ registryFile: process.env.BENCH_REGISTRY, watchRegistry: false, admin: {}, maxUplinks: 1000 });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'stop') void cloud.close().then(() => process.exit(0));
  });
  process.send!({ mqtt: cloud.mqttPort, consoleUrl: cloud.consoleUrl as string, adminToken: cloud.adminToken as string } satisfies Ports);
}

interface Dev {
  sock: Socket;
  id: string;
  nextId: number;
}

function token(id: string, key: KeyObject): string {
  const now = Math.floor(Date.now() / 1000);
  const input = b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT' })) + '.' + b64u(JSON.stringify({ aud: 'https://akenza.io/devices/' + id, iat: now - 60, exp: now + 3600 }));
  return input + '.' + b64u(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }));
}

/** Connects one device; `onAck` runs for each PUBACK. */
function connectDev(port: number, id: string, key: KeyObject, onAck: (d: Dev) => void): Promise<Dev> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: '127.0.0.1', port, noDelay: true });
    const parser = mqttPacket.parser();
    const d: Dev = { sock, id, nextId: 1 };
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connack') (p.returnCode === 0 ? resolve(d) : reject(new Error('CONNACK ' + p.returnCode)));
      else if (p.cmd === 'puback') onAck(d);
    });
    sock.on('data', (b) => parser.parse(b));
    sock.on('error', reject);
    sock.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, clientId: id, username: 'bench', password: Buffer.from(token(id, key)) } as Packet));
  });
}

function publish(d: Dev, seq: number): void {
  d.nextId = (d.nextId % 65535) + 1;
  d.sock.write(mqttPacket.generate({ cmd: 'publish', topic: '/up/device/id/' + d.id + '/environment', qos: 1, messageId: d.nextId, retain: false, dup: false, payload: Buffer.from('{"seq":' + seq + ',"temperature":21.5}') } as Packet));
}

/** Microseconds the console spends per uplink in the mock (median of 5 batches of 200,000, 45-byte JSON payloads). */
async function feedCost(registryJson: object): Promise<number> {
  const { ConsoleState } = await import('../../src/mock/console/state');
  const { Registry } = await import('../../src/mock/registry');
  const { makeUplink } = await import('../../src/mock/uplinks');
  const reg = Registry.fromJson(registryJson as never, 'bench');
  const state = new ConsoleState(() => reg, () => Date.now());
  const ids = [...reg.devices.keys()];
  const ups = ids.map((deviceId, i) => makeUplink({ deviceId, transport: 'mqtt', topic: 'environment', raw: Buffer.from('{"seq":' + i + ',"temperature":21.5,"humidity":40}'), time: Date.now(), auth: 'jwt', mqttTopic: '/up/device/id/' + deviceId + '/environment', qos: 1 }));
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 200000; i++) state.onUplink(ups[i % ups.length]);
    runs.push(((performance.now() - t0) * 1000) / 200000);
  }
  return median(runs);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '5' } } });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const keys = Array.from({ length: DEVICES }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  const ids = keys.map((_, i) => 'bench-' + String(i).padStart(4, '0'));
  const registry = { devices: ids.map((deviceId, i) => ({ deviceId, credentials: [{ publicKey: keys[i].publicKey.export({ type: 'spki', format: 'pem' }) as string }] })), connectors: [] };
  // The registry goes through a file (1,000 keys are too long for an environment variable).
  const tmp = mkdtempSync(join(tmpdir(), 'akenza-bench-console-'));
  writeFileSync(join(tmp, 'registry.json'), JSON.stringify(registry));
  const perUplink = await feedCost(registry);
  const child: ChildProcess = fork(SELF, ['--serve'], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_REGISTRY: join(tmp, 'registry.json') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<Ports>((r) => child.once('message', (m) => r(m as Ports)));
  let acked = 0;
  let seq = 0;
  let closedLoop = false;
  const devs: Dev[] = [];
  for (let i = 0; i < DEVICES; i += 100) {
    devs.push(...(await Promise.all(ids.slice(i, i + 100).map((id, k) => connectDev(ports.mqtt, id, keys[i + k].privateKey, (d) => {
      acked++;
      if (closedLoop) publish(d, ++seq);
    })))));
  }
  const browser = await launchChromium({ width: 1400, height: 1000 });
  const page = await browser.context.newPage();
  // Frame and long-task counters in the page (the console's own script is untouched).
  // (A string: tsx's transform of a function would reference helpers the page does not have.)
  await page.addInitScript({
    content:
      'window.__frames = 0; window.__long = [];' +
      '(function tick() { window.__frames++; requestAnimationFrame(tick); })();' +
      'new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { window.__long.push(e.duration); }); }).observe({ type: "longtask", buffered: true });',
  });
  const signIn = ports.consoleUrl + '?token=' + encodeURIComponent(ports.adminToken);
  const measure = async (): Promise<number> => {
    const a0 = acked;
    const t0 = performance.now();
    await sleep(seconds * 1000);
    return Math.round(((acked - a0) * 1000) / (performance.now() - t0));
  };
  console.error('1,000 devices connected; ' + rounds + ' rounds of ' + seconds + ' s each, console closed then open');
  closedLoop = true;
  for (const d of devs) publish(d, ++seq); // one in flight per device from now on
  await sleep(2000); // warm up
  const closed: number[] = [];
  const stream: number[] = [];
  const open: number[] = [];
  for (let r = 0; r < rounds; r++) {
    await page.goto('about:blank');
    await sleep(500);
    closed.push(await measure());
    // The event stream read by this process, no browser: the mock's own share of the console's cost.
    const sse = await fetch(ports.consoleUrl + 'console/events', { headers: { authorization: 'Bearer ' + ports.adminToken } });
    const reader = sse.body!.getReader();
    let reading = true;
    void (async () => {
      while (reading && !(await reader.read()).done);
    })();
    await sleep(500);
    stream.push(await measure());
    reading = false;
    await reader.cancel();
    await page.goto(signIn);
    await page.waitForSelector('body[data-live=on]', { timeout: 10000 });
    await sleep(500);
    open.push(await measure());
    console.error('round ' + (r + 1) + ': closed ' + closed[r] + ' msgs/s, stream only ' + stream[r] + ', page open ' + open[r]);
  }
  closedLoop = false;
  await sleep(1000); // the last in-flight messages
  // The page at a fixed 1,000 msgs/s (round robin over the 1,000 devices): does it keep drawing?
  await page.goto(signIn);
  await page.waitForSelector('body[data-live=on]', { timeout: 10000 });
  await sleep(1000);
  const before = (await page.evaluate('({ frames: __frames, long: __long.length })')) as { frames: number; long: number };
  // Paced by what is due since the start (a late timer catches up), as the simulator does.
  let cursor = 0;
  let sent = 0;
  const p0 = performance.now();
  const paced = setInterval(() => {
    const due = Math.floor(performance.now() - p0); // 1,000 a second
    for (; sent < due; sent++) publish(devs[cursor++ % DEVICES], ++seq);
  }, 10);
  const a0 = acked;
  const t0 = performance.now();
  await sleep(10000);
  clearInterval(paced);
  const rate = Math.round(((acked - a0) * 1000) / (performance.now() - t0));
  const after = (await page.evaluate('({ frames: __frames, long: __long.slice(' + before.long + '), feedRows: document.querySelectorAll("#feed tbody tr").length, deviceRows: document.querySelectorAll("#devices tbody tr").length, connected: document.getElementById("s-connected").textContent })')) as { frames: number; long: number[]; feedRows: number; deviceRows: number; connected: string };
  const fps = Math.round(((after.frames - before.frames) * 1000) / (performance.now() - t0));
  await browser.close();
  child.send({ cmd: 'stop' });
  for (const d of devs) d.sock.destroy();
  rmSync(tmp, { recursive: true, force: true });
  const mc = median(closed);
  const ms = median(stream);
  const mo = median(open);
  console.log('mock msgs/s (QoS 1, 1,000 devices, closed loop), medians of ' + rounds + ' rounds of ' + seconds + ' s: console closed ' + mc + ', event stream read without a browser ' + ms + ' (' + (ms / mc).toFixed(2) + '), page open in Chromium ' + mo + ' (open/closed ' + (mo / mc).toFixed(2) + ')');
  console.log('  rounds closed: ' + closed.join(', ') + '; stream: ' + stream.join(', ') + '; open: ' + open.join(', '));
  console.log('the console\'s work per uplink (ConsoleState.onUplink: preview, device row, feed ring; paid whenever the admin API is on): ' + perUplink.toFixed(2) + ' us, median of 5 x 200,000');
  console.log('page at a paced ' + rate + ' msgs/s for 10 s: ' + fps + ' frames/s, ' + after.long.length + ' long tasks (max ' + Math.round(Math.max(0, ...after.long)) + ' ms); feed rows ' + after.feedRows + ', device rows ' + after.deviceRows + ', connected ' + after.connected);
}

if (process.argv.includes('--serve')) void serve();
else
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
