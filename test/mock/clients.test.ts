// Independent clients against the mock: MQTT.js (TCP and TLS), mosquitto_pub/sub, curl and fetch,
// the coap library's client, and a dgram socket; tokens are minted by node:crypto directly.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as coapRequest } from 'coap';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUdpDatagram, startMockCloud, type AuthLogEntry, type MockCloud } from '../../src/mock/index';
import { twoDevices } from './helpers';

const { registry, token } = twoDevices();
const dir = mkdtempSync(join(tmpdir(), 'akenza-mock-test-'));
const caFile = join(dir, 'ca.pem');
let cloud: MockCloud;

beforeAll(async () => {
  cloud = await startMockCloud({ registry, caFile, bodyLimit: 4096 });
});
afterAll(() => cloud.close());

function run(cmd: string, args: string[], timeoutMs = 15000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: stdout.toString(), stderr: stderr.toString() });
    });
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error('timed out waiting for ' + what);
}

const nextRejection = () => new Promise<AuthLogEntry>((res) => cloud.on('authRejected', res));

describe('MQTT.js', () => {
  for (const tls of [false, true]) {
    it('connects over ' + (tls ? 'TLS (verifying the mock CA)' : 'TCP') + ', publishes QoS 1 and receives a downlink', async () => {
      const c = mqtt.connect({
        host: tls ? 'localhost' : '127.0.0.1', port: tls ? cloud.mqttsPort : cloud.mqttPort, protocol: tls ? 'mqtts' : 'mqtt',
        ca: tls ? cloud.caPem : undefined, rejectUnauthorized: true, clientId: 'dev-a', username: 'dev-a', password: token('dev-a'), reconnectPeriod: 0, protocolVersion: 4,
      });
      try {
        await new Promise((res, rej) => {
          c.once('connect', res);
          c.once('error', rej);
        });
        await c.subscribeAsync('/down/device/id/dev-a/#', { qos: 1 });
        const got = new Promise<[string, Buffer]>((res) => c.once('message', (t, p) => res([t, p])));
        const ack = await c.publishAsync('/up/device/id/dev-a/m', JSON.stringify({ tls }), { qos: 1 });
        expect(ack).toBeDefined(); // publishAsync resolves on PUBACK for QoS 1
        const u = await cloud.waitForUplink((x) => x.topic === 'm' && (x.payload as { tls: boolean }).tls === tls);
        expect(u.transport).toBe(tls ? 'mqtts' : 'mqtt');
        cloud.sendDownlink('dev-a', { hello: tls }, { topic: 'cmd', qos: 1 });
        const [topic, payload] = await got;
        expect(topic).toBe('/down/device/id/dev-a/cmd');
        expect(JSON.parse(payload.toString())).toEqual({ hello: tls });
      } finally {
        await c.endAsync();
      }
    });
  }

  it('is refused with a token for another device (5) and a wrong secret (4)', async () => {
    for (const [opts, code] of [
      [{ clientId: 'dev-a', username: 'x', password: token('dev-b') }, 5],
      [{ clientId: 'c', username: 'conn-1', password: 'wrong' }, 4],
    ] as const) {
      const c = mqtt.connect({ host: '127.0.0.1', port: cloud.mqttPort, reconnectPeriod: 0, ...opts });
      const err = await new Promise<Error & { code?: number }>((res) => c.once('error', res));
      expect(err.code).toBe(code);
      c.end(true);
    }
  });

  it('rejects the TLS server when the CA is not trusted', async () => {
    const c = mqtt.connect({ host: 'localhost', port: cloud.mqttsPort, protocol: 'mqtts', rejectUnauthorized: true, clientId: 'dev-a', username: 'x', password: token('dev-a'), reconnectPeriod: 0 });
    const err = await new Promise<Error>((res) => c.once('error', res));
    expect(err.message).toMatch(/self.signed|unable to (get|verify)/i);
    c.end(true);
  });
});

describe('mosquitto_pub / mosquitto_sub', () => {
  it('publishes QoS 1 with a token over TCP and over TLS (--cafile)', async () => {
    const tcp = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'dev-b', '-u', 'dev-b', '-P', token('dev-b'), '-q', '1', '-t', '/up/device/id/dev-b/mq', '-m', '{"via":"tcp"}']);
    expect(tcp).toMatchObject({ code: 0 });
    const tls = await run('mosquitto_pub', ['-h', 'localhost', '-p', String(cloud.mqttsPort), '--cafile', caFile, '-i', 'dev-b', '-u', 'dev-b', '-P', token('dev-b'), '-q', '1', '-t', '/up/device/id/dev-b/mq', '-m', '{"via":"tls"}']);
    expect(tls).toMatchObject({ code: 0 });
    expect(await cloud.waitForUplink((u) => (u.payload as { via?: string }).via === 'tcp')).toMatchObject({ deviceId: 'dev-b', transport: 'mqtt', topic: 'mq', qos: 1 });
    expect(await cloud.waitForUplink((u) => (u.payload as { via?: string }).via === 'tls')).toMatchObject({ transport: 'mqtts' });
  });

  it('publishes with the uplink secret', async () => {
    const r = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'whatever', '-u', 'conn-1', '-P', 's3cr3t', '-q', '1', '-t', '/up/s3cr3t/id/dev-a', '-m', '{"via":"secret"}']);
    expect(r.code).toBe(0);
    expect(await cloud.waitForUplink((u) => (u.payload as { via?: string }).via === 'secret')).toMatchObject({ deviceId: 'dev-a', auth: 'secret', mqttTopic: '/up/***/id/dev-a' });
  });

  it('mosquitto_sub receives a downlink (token) and one on the secret topic', async () => {
    const sub = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'dev-a', '-u', 'x', '-P', token('dev-a'), '-q', '1', '-t', '/down/device/id/dev-a/#', '-C', '1', '-W', '10', '-v']);
    await until(() => cloud.sessions().some((s) => s.clientId === 'dev-a' && s.subscriptions.length > 0), 'the mosquitto_sub subscription');
    expect(cloud.sendDownlink('dev-a', '{"led":true}', { qos: 1 })).toBe(1);
    const out = await sub;
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toBe('/down/device/id/dev-a {"led":true}');

    const sub2 = run('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'secret-sub', '-u', 'conn-1', '-P', 's3cr3t', '-t', '/down/s3cr3t/id/dev-b', '-C', '1', '-W', '10']);
    await until(() => cloud.sessions().some((s) => s.clientId === 'secret-sub' && s.subscriptions.length > 0), 'the secret subscription');
    cloud.sendDownlink('dev-b', 'ping');
    expect((await sub2).stdout.trim()).toBe('ping');
  });

  it('is refused with a bad token (not authorised) and a wrong secret (bad username or password)', async () => {
    const bad = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'dev-a', '-u', 'x', '-P', token('dev-b'), '-t', '/up/device/id/dev-a', '-m', '{}']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not authori[sz]ed/i);
    const wrong = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'x', '-u', 'conn-1', '-P', 'nope', '-t', '/up/nope/id/dev-a', '-m', '{}']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/bad user ?name or password/i);
  });
});

describe('HTTP capture', () => {
  const url = (q: string) => 'http://127.0.0.1:' + cloud.httpPort + '/v3/capture?' + q;

  it('curl posts JSON with the secret header', async () => {
    const r = await run('curl', ['-s', '-w', '\n%{http_code}', '-X', 'POST', '-H', 'secret: s3cr3t', '-H', 'content-type: application/json', '--data', '{"temp":21.5}', url('deviceId=dev-a&topic=env')]);
    const [body, status] = r.stdout.trim().split('\n');
    expect(status).toBe('200');
    const j = JSON.parse(body);
    expect(j.message).toBe('uplink received');
    expect(j.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Date(j.timestamp).toISOString()).toBe(j.timestamp);
    const u = await cloud.waitForUplink((x) => x.id === j.id);
    expect(u).toMatchObject({ deviceId: 'dev-a', transport: 'http', topic: 'env', payload: { temp: 21.5 }, secretVia: 'header' });
  });

  it('fetch: x-uplink-secret, arrays, timestamp; clear 4xx errors', async () => {
    const post = (q: string, body: string, headers: { [k: string]: string } = { 'x-uplink-secret': 's3cr3t' }) =>
      fetch(url(q), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const ok = await post('deviceId=dev-b&topic=t&timestamp=2026-01-02T03:04:05Z', '[{"a":1},{"a":2}]');
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { timestamp: string }).timestamp).toBe('2026-01-02T03:04:05.000Z');
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('deviceId=dev-a', '{}', {}), 401, /missing uplink secret/],
      [post('deviceId=dev-a', '{}', { secret: 'nope' }), 401, /wrong uplink secret/],
      [post('deviceId=ghost', '{}'), 404, /unknown device/],
      [post('deviceId=dev-c', '{}'), 404, /not assigned/],
      [post('deviceId=dev-a', '{bad json'), 400, /not valid JSON/],
      [post('deviceId=dev-a', '42'), 400, /object or array/],
      [post('deviceId=dev-a&timestamp=yesterday', '{}'), 400, /timestamp/],
      [post('', '{}'), 400, /deviceId/],
      [post('deviceId=dev-a', JSON.stringify({ big: 'x'.repeat(5000) })), 413, /larger than 4096/],
      [post('deviceId=dev-a&secret=s3cr3t', '{}', {}), 401, /query string is not accepted/],
      [fetch(url('deviceId=dev-a'), { headers: { secret: 's3cr3t' } }), 405, /not allowed/],
      [fetch('http://127.0.0.1:' + cloud.httpPort + '/v2/other', { method: 'POST' }), 404, /not found/],
    ];
    for (const [p, status, msg] of cases) {
      const r = await p;
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(((await r.json()) as { error: string }).error).toMatch(msg);
    }
    expect(JSON.stringify(cloud.authLog)).not.toContain('nope');
  });

  it('accepts the secret in the query only when allowSecretInQuery is on, and records where it came from', async () => {
    const c2 = await startMockCloud({ registry, allowSecretInQuery: true });
    try {
      const r = await fetch('http://127.0.0.1:' + c2.httpPort + '/v3/capture?deviceId=dev-a&secret=s3cr3t', { method: 'POST', body: '{"q":1}' });
      expect(r.status).toBe(200);
      const u = await c2.waitForUplink();
      expect(u.secretVia).toBe('query');
      expect(JSON.stringify({ ...u, raw: undefined })).not.toContain('s3cr3t');
    } finally {
      await c2.close();
    }
  });
});

describe('CoAP capture (coap library client)', () => {
  function post(query: string, body: string, format: string | null = 'application/json'): Promise<{ code: string; body: string }> {
    const agent = new Agent({ type: 'udp4' });
    return new Promise((resolve, reject) => {
      const req = coapRequest({ hostname: '127.0.0.1', port: cloud.coapPort, method: 'POST', pathname: '/v3/capture', query, agent, confirmable: true });
      if (format) req.setOption('Content-Format', format);
      req.on('response', (res) => {
        resolve({ code: res.code, body: res.payload.toString() }); // the agent closes itself when idle
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('POST with Content-Format 50 gets 2.01 and the HTTP success body', async () => {
    const r = await post('deviceId=dev-a&secret=s3cr3t&topic=coap', '{"c":1}');
    expect(r.code).toBe('2.01');
    const j = JSON.parse(r.body);
    expect(j.message).toBe('uplink received');
    expect(await cloud.waitForUplink((u) => u.id === j.id)).toMatchObject({ transport: 'coap', deviceId: 'dev-a', topic: 'coap', payload: { c: 1 } });
  });

  it('refuses a wrong secret (4.01), bad JSON (4.00), an unknown device (4.04), a wrong format (4.15)', async () => {
    const rej = nextRejection();
    expect((await post('deviceId=dev-a&secret=nope', '{}')).code).toBe('4.01');
    expect(await rej).toMatchObject({ transport: 'coap', code: 401 });
    expect((await post('deviceId=dev-a&secret=s3cr3t', '{nope')).code).toBe('4.00');
    expect((await post('deviceId=ghost&secret=s3cr3t', '{}')).code).toBe('4.04');
    expect((await post('deviceId=dev-a&secret=s3cr3t', '{}', 'text/plain')).code).toBe('4.15');
  });
});

describe('UDP capture (dgram)', () => {
  function send(d: Uint8Array): Promise<void> {
    const s = createSocket('udp4');
    return new Promise((res) => s.send(d, cloud.udpPort, '127.0.0.1', () => {
      s.close();
      res();
    }));
  }

  it('one datagram = query string, newline, JSON', async () => {
    await send(formatUdpDatagram({ deviceId: 'dev-b', secret: 's3cr3t', topic: 'udp' }, '{"u":1}'));
    expect(await cloud.waitForUplink((u) => u.transport === 'udp')).toMatchObject({ deviceId: 'dev-b', topic: 'udp', payload: { u: 1 }, auth: 'secret' });
    await send(new Uint8Array(Buffer.from('deviceId=dev-a&secret=s3cr3t\n[1,2]')));
    expect(await cloud.waitForUplink((u) => u.transport === 'udp' && u.deviceId === 'dev-a')).toMatchObject({ topic: 'default', payload: [1, 2] });
  });

  it('a wrong secret is refused (logged; no reply on UDP)', async () => {
    const rej = nextRejection();
    await send(formatUdpDatagram({ deviceId: 'dev-a', secret: 'nope' }, '{"u":2}'));
    expect(await rej).toMatchObject({ transport: 'udp', code: 401, deviceId: 'dev-a' });
    expect(cloud.uplinks.some((u) => (u.payload as { u?: number }).u === 2)).toBe(false);
  });
});

describe('CA file', () => {
  it('is written where asked', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(caFile, 'utf8')).toBe(cloud.caPem);
    writeFileSync(join(dir, 'x'), '');
  });
});

describe('MQTTS identity', () => {
  // openssl s_client prints every certificate the server sends with -showcerts.
  async function sentChain(port: number, ca: string): Promise<{ certs: number; verified: boolean; key: string }> {
    const caPath = join(dir, 'chain-ca-' + port + '.pem');
    writeFileSync(caPath, ca);
    const r = await new Promise<string>((resolve) => {
      const p = execFile('openssl', ['s_client', '-connect', '127.0.0.1:' + port, '-servername', 'localhost', '-verify_hostname', 'localhost', '-CAfile', caPath, '-showcerts'], { timeout: 15000 }, (_e, out) => resolve(out.toString()));
      p.stdin!.end('Q\n');
    });
    return { certs: (r.match(/-----BEGIN CERTIFICATE-----/g) || []).length, verified: /Verify return code: 0 \(ok\)/.test(r), key: (/Server public key is (\d+) bit/.exec(r) || [])[1] || '' };
  }

  it('sends the leaf and the CA (P-256 by default), verifiable against caPem for localhost', async () => {
    expect(await sentChain(cloud.mqttsPort, cloud.caPem)).toEqual({ certs: 2, verified: true, key: '256' });
  });

  it('is an RSA-2048 chain with tlsKeyType rsa, and MQTT.js connects through it', async () => {
    const rsa = await startMockCloud({ registry, tlsKeyType: 'rsa' });
    try {
      expect(await sentChain(rsa.mqttsPort, rsa.caPem)).toEqual({ certs: 2, verified: true, key: '2048' });
      const c = mqtt.connect({ host: 'localhost', port: rsa.mqttsPort, protocol: 'mqtts', ca: rsa.caPem, rejectUnauthorized: true, clientId: 'dev-a', username: 'dev-a', password: token('dev-a'), reconnectPeriod: 0 });
      await new Promise<void>((resolve, reject) => { c.on('connect', () => resolve()); c.on('error', reject); });
      await c.publishAsync('/up/device/id/dev-a/rsa', '{"rsa":1}', { qos: 1 });
      expect(await rsa.waitForUplink((u) => u.topic === 'rsa')).toMatchObject({ transport: 'mqtts', payload: { rsa: 1 } });
      await c.endAsync();
    } finally {
      await rsa.close();
    }
  });
});
