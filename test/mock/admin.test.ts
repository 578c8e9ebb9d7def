// The admin API and `akenza-device downlink` (issue 16, items 12-14): a downlink from the CLI reaches
// mosquitto_sub subscribed with the device's token; the token comes from the state dir, a token file
// or $AKENZA_ADMIN_TOKEN, is checked on every request, and the API listens on localhost only; bodies
// are bounded. Registry edits apply while the mock runs (a broken file keeps the last good registry),
// and every refusal, HTTP 400 and CoAP 4.15 included, is printed with a timestamp.
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { runMock } from '../../src/cli/mock';
import { tokenMatches } from '../../src/mock/admin';
import type { MockCloud } from '../../src/mock/index';
import { encodeCoap, JSON_FORMAT, OPT, parseCoap, stringOption, uintOption, CON } from '../../src/uplink/coap/codec';
import { captureIo, fixture } from '../helpers';
import { connackFor, mint, nowS } from './helpers';
import { killAll, lanAddress, start, until } from './procs';

const ZERO = ['--mqtt-port', '0', '--mqtts-port', '0', '--ws-port', '0', '--wss-port', '0', '--http-port', '0', '--coap-port', '0', '--udp-port', '0', '--admin-port', '0'];
const d1 = { deviceId: 'd1', credentials: [{ publicKey: fixture('ec.pub.pem') }] };
const tokenD1 = () => mint({ key: createPrivateKey(fixture('ec.pkcs8.pem')), claims: { aud: 'https://akenza.io/devices/d1', exp: nowS() + 600 } });
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

function stateDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'akenza-admin-')), 'state');
  return dir;
}

afterEach(() => {
  killAll();
  delete process.env.AKENZA_ADMIN_TOKEN;
});

describe('akenza-device downlink', () => {
  it('delivers to mosquitto_sub subscribed with the device token; the token comes from the state dir', async () => {
    const dir = stateDir();
    const m = captureIo();
    await runMock(['--state-dir', dir, ...ZERO], m.io, async (cloud) => {
      writeFileSync(join(dir, 'registry.json'), JSON.stringify({ devices: [d1] }));
      await until(() => !!cloud.registry.device('d1'), 'the registry reload');
      const sub = start('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(cloud.mqttPort), '-i', 'd1', '-u', 'any', '-P', tokenD1(), '-t', '/down/device/id/d1/#', '-q', '1', '-C', '1', '-v']);
      await until(() => cloud.sessions().some((s) => s.clientId === 'd1' && s.subscriptions.length > 0), 'mosquitto_sub to subscribe');
      const c = captureIo();
      expect(await main(['downlink', '--device', 'd1', '--topic', 'cmd', '--qos', '1', '--state-dir', dir, '{"led":"on"}'], c.io)).toBe(0);
      expect(c.out).toEqual(['delivered to 1 session(s) of d1']);
      expect(await sub.exited).toBe(0);
      expect(sub.out().trim()).toBe('/down/device/id/d1/cmd {"led":"on"}');

      // Nobody subscribed any more: exit 1, said plainly.
      const none = captureIo();
      expect(await main(['downlink', '--device', 'd1', '--state-dir', dir, 'x'], none.io)).toBe(1);
      expect(none.err.join('\n')).toContain('not delivered: no session of d1 is subscribed to /down/device/id/d1');

      // A token that is not the mock's, from the environment (it wins over the state dir): refused, exit 1.
      process.env.AKENZA_ADMIN_TOKEN = 'not-the-token-of-this-mock';
      const wrong = captureIo();
      expect(await main(['downlink', '--device', 'd1', '--state-dir', dir, 'x'], wrong.io)).toBe(1);
      expect(wrong.err.join('\n')).toContain('the mock refused the admin token from $AKENZA_ADMIN_TOKEN');
      delete process.env.AKENZA_ADMIN_TOKEN;

      // The right token from the environment, and --admin with the URL.
      process.env.AKENZA_ADMIN_TOKEN = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
      const env = captureIo();
      expect(await main(['downlink', '--device', 'd1', '--admin', 'http://127.0.0.1:' + cloud.adminPort, '--json', 'x'], env.io)).toBe(1);
      expect(JSON.parse(env.out.join('\n'))).toEqual({ deviceId: 'd1', delivered: 0 });
    });
    const log = m.out.join('\n');
    expect(log).toMatch(new RegExp('^' + ISO + ' downlink to d1/cmd: 1 session\\(s\\)$', 'm'));
    expect(log).toMatch(new RegExp('^' + ISO + ' admin: refused POST /admin/downlink from 127\\.0\\.0\\.1 \\(401\\): wrong admin token$', 'm'));
    expect(log).not.toContain('not-the-token-of-this-mock');
    expect(log).not.toContain(readFileSync(join(dir, 'admin-token'), 'utf8').trim());
  });

  it('needs a token source (never argv); a stopped mock is a plain error; --admin-token-file is written mode 600', async () => {
    const none = captureIo();
    expect(await main(['downlink', '--device', 'd1', 'x'], none.io)).toBe(2);
    expect(none.err[0]).toContain('no admin token: set $AKENZA_ADMIN_TOKEN, or pass --state-dir DIR or --admin-token-file FILE');
    expect(await main(['downlink', '--device', 'd1', '--admin-token', 'abc', 'x'], captureIo().io)).toBe(2);

    const dir = mkdtempSync(join(tmpdir(), 'akenza-admin-'));
    const reg = join(dir, 'reg.json');
    writeFileSync(reg, JSON.stringify({ devices: [d1] }));
    const tokenFile = join(dir, 'token');
    const m = captureIo();
    let port = 0;
    await runMock(['--registry', reg, '--admin-token-file', tokenFile, ...ZERO], m.io, async (cloud) => {
      port = cloud.adminPort;
      expect((statSync(tokenFile).mode & 0o777).toString(8)).toBe('600');
      const c = captureIo();
      expect(await main(['downlink', '--device', 'd1', '--admin-token-file', tokenFile, '--admin', 'http://127.0.0.1:' + port, 'x'], c.io)).toBe(1);
      expect(c.err.join('\n')).toContain('not delivered');
    });
    expect(m.out.join('\n')).toMatch(/admin +http:\/\/127\.0\.0\.1:\d+\/admin \(token in .*token\)/);
    const gone = captureIo();
    expect(await main(['downlink', '--device', 'd1', '--admin-token-file', tokenFile, '--admin', 'http://127.0.0.1:' + port, 'x'], gone.io)).toBe(1);
    expect(gone.err.join('\n')).toMatch(/cannot reach the mock admin API at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED \(is `akenza-device mock` running/);
  });
});

describe('the admin API', () => {
  it('checks the bearer token on every route, bounds bodies, lists devices and uplinks, and listens on localhost only', async () => {
    const dir = stateDir();
    const m = captureIo();
    const lan = lanAddress();
    await runMock(['--state-dir', dir, '--host', '0.0.0.0', ...ZERO], m.io, async (cloud: MockCloud) => {
      writeFileSync(join(dir, 'registry.json'), JSON.stringify({ devices: [d1], connectors: [{ id: 'c1', uplinkSecret: 'sh-secret', devices: ['d1'] }] }));
      await until(() => !!cloud.registry.connectors.get('c1'), 'the registry reload');
      const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(32);
      const base = 'http://127.0.0.1:' + cloud.adminPort;
      const auth = { authorization: 'Bearer ' + token };
      for (const [method, path] of [['GET', '/admin/devices'], ['GET', '/admin/uplinks'], ['POST', '/admin/downlink'], ['GET', '/nope']]) {
        expect((await fetch(base + path, { method })).status, method + ' ' + path + ' without a token').toBe(401);
        expect((await fetch(base + path, { method, headers: { authorization: 'Bearer ' + token.slice(0, -1) } })).status).toBe(401);
        expect((await fetch(base + path, { method, headers: { authorization: 'Bearer ' + token + 'x' } })).status).toBe(401);
      }
      const r = await fetch(base + '/admin/devices', { headers: auth });
      expect(r.status).toBe(200);
      const body = (await r.json()) as { devices: { deviceId: string; connected: boolean }[]; connectors: unknown[] };
      expect(body.devices).toEqual([expect.objectContaining({ deviceId: 'd1', connected: false, kids: [expect.stringMatching(/^[0-9a-f]{64}$/)] })]);
      expect(body.connectors).toEqual([{ id: 'c1', devices: ['d1'] }]);
      expect(JSON.stringify(body)).not.toContain('sh-secret');

      const up = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=d1&topic=t', { method: 'POST', headers: { secret: 'sh-secret' }, body: '{"v":7}' });
      expect(up.status).toBe(200);
      const ups = (await (await fetch(base + '/admin/uplinks?deviceId=d1&limit=5', { headers: auth })).json()) as { uplinks: { payload: unknown; transport: string }[] };
      expect(ups.uplinks).toEqual([expect.objectContaining({ deviceId: 'd1', transport: 'http', topic: 't', payload: { v: 7 } })]);

      const big = await fetch(base + '/admin/downlink', { method: 'POST', headers: auth, body: JSON.stringify({ deviceId: 'd1', payload: 'x'.repeat(70000) }) });
      expect(big.status).toBe(413);
      // The same bound without a Content-Length (chunked): counted while it streams.
      const chunked = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(base + '/admin/downlink', { method: 'POST', headers: { ...auth, 'transfer-encoding': 'chunked' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        for (let i = 0; i < 10; i++) req.write('x'.repeat(8000));
        req.end();
      });
      expect(chunked).toBe(413);
      const badJson = await fetch(base + '/admin/downlink', { method: 'POST', headers: auth, body: '{' });
      expect(badJson.status).toBe(400);
      const badTopic = await fetch(base + '/admin/downlink', { method: 'POST', headers: auth, body: JSON.stringify({ deviceId: 'd1', topic: 'a/#' }) });
      expect(badTopic.status).toBe(400);
      expect((await fetch(base + '/admin/devices', { method: 'DELETE', headers: auth })).status).toBe(405);

      // Bound to 127.0.0.1 although the rest listens on every interface.
      if (lan.lan) await expect(fetch('http://' + lan.address + ':' + cloud.adminPort + '/admin/devices', { headers: auth })).rejects.toThrow();
    });
    const log = m.out.join('\n');
    expect(log).toMatch(/admin: refused GET \/admin\/devices from 127\.0\.0\.1 \(401\): missing admin token/);
    expect(log).toMatch(/admin: refused POST \/admin\/downlink from 127\.0\.0\.1 \(413\): body larger than 65536 bytes/);
    expect(log).toMatch(/admin: refused POST \/admin\/downlink from 127\.0\.0\.1 \(400\): downlink topic must be/);
  });

  it('compares tokens in constant time over their hashes (any length)', () => {
    expect(tokenMatches('abcdefghijklmnop', 'abcdefghijklmnop')).toBe(true);
    expect(tokenMatches('abcdefghijklmnoq', 'abcdefghijklmnop')).toBe(false);
    expect(tokenMatches('abc', 'abcdefghijklmnop')).toBe(false);
    expect(tokenMatches('', 'abcdefghijklmnop')).toBe(false);
  });
});

describe('registry edits while the mock runs', () => {
  it('registry add is picked up (CONNACK 5, then 0); a broken file is reported and the last good registry kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akenza-admin-'));
    const reg = join(dir, 'reg.json');
    writeFileSync(reg, JSON.stringify({ devices: [d1] }));
    const k2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pub2 = join(dir, 'd2.pub.pem');
    writeFileSync(pub2, k2.publicKey.export({ type: 'spki', format: 'pem' }) as string);
    const t2 = () => mint({ key: k2.privateKey, claims: { aud: 'https://akenza.io/devices/d2', exp: nowS() + 600 } });
    const m = captureIo();
    await runMock(['--registry', reg, ...ZERO], m.io, async (cloud) => {
      expect(await connackFor(cloud.mqttPort, 'd2', t2())).toBe(5);
      expect(await main(['registry', 'add', '--registry', reg, '--device', 'd2', '--key', pub2], captureIo().io)).toBe(0);
      await until(async () => (await connackFor(cloud.mqttPort, 'd2', t2())) === 0, 'd2 to be accepted');
      expect(await connackFor(cloud.mqttPort, 'd1', tokenD1())).toBe(0);

      writeFileSync(reg, '{"devices": [');
      await until(() => m.out.some((l) => l.includes('registry: not applied')), 'the refusal line');
      expect(await connackFor(cloud.mqttPort, 'd2', t2())).toBe(0); // the last good registry

      writeFileSync(reg, JSON.stringify({ devices: [d1, { deviceId: 'd2', credentials: [{ publicKey: fixture('p384.pub.pem') }] }] }));
      await until(() => m.out.filter((l) => l.includes('registry: not applied')).length >= 2, 'the second refusal line');
      expect(await connackFor(cloud.mqttPort, 'd2', t2())).toBe(0);

      writeFileSync(reg, JSON.stringify({ devices: [d1] }));
      await until(async () => (await connackFor(cloud.mqttPort, 'd2', t2())) === 5, 'd2 to be removed');
    });
    const log = m.out.join('\n');
    expect(log).toMatch(new RegExp('^' + ISO + ' registry: reloaded ' + reg.replace(/[.\\/]/g, '\\$&') + ': 2 device\\(s\\), 0 connector\\(s\\)$', 'm'));
    expect(log).toMatch(new RegExp('^' + ISO + ' registry: not applied, the last good registry stays in use: OPTION_INVALID: ' + reg.replace(/[.\\/]/g, '\\$&') + ': not valid JSON', 'm'));
    expect(log).toMatch(/registry: not applied, the last good registry stays in use: CURVE_UNSUPPORTED: .*devices\[1\] \(deviceId "d2"\)\.credentials\[0\]: /);
    expect(log).toMatch(/mqtt: refused clientId "d2" \(5\): device "d2" is not registered/);
  });
});

describe('refusals are printed', () => {
  it('HTTP 400/404/405 and CoAP 4.15/4.01 each give one timestamped line with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akenza-admin-'));
    const reg = join(dir, 'reg.json');
    writeFileSync(reg, JSON.stringify({ devices: [d1], connectors: [{ id: 'c1', uplinkSecret: 'sh-secret', devices: ['d1'] }] }));
    const m = captureIo();
    await runMock(['--registry', reg, ...ZERO], m.io, async (cloud) => {
      const http = 'http://127.0.0.1:' + cloud.httpPort;
      expect((await fetch(http + '/v3/capture?topic=t', { method: 'POST', headers: { secret: 'sh-secret' }, body: '{}' })).status).toBe(400);
      expect((await fetch(http + '/v3/capture?deviceId=d1', { method: 'POST', headers: { secret: 'sh-secret' }, body: 'not json' })).status).toBe(400);
      expect((await fetch(http + '/elsewhere', { method: 'POST', body: '{}' })).status).toBe(404);
      expect((await fetch(http + '/v3/capture', { method: 'GET' })).status).toBe(405);
      expect((await fetch(http + '/v3/capture?deviceId=d1', { method: 'POST', headers: { secret: 'nope' }, body: '{}' })).status).toBe(401);

      const sock = createSocket('udp4');
      try {
        const ask = (token: number, fmt: number, secret: string) =>
          new Promise<string>((resolve) => {
            sock.once('message', (msg) => {
              const r = parseCoap(new Uint8Array(msg));
              resolve(typeof r === 'string' ? r : (r.code >> 5) + '.' + String(r.code & 31).padStart(2, '0'));
            });
            const opts = [stringOption(OPT.uriPath, 'v3'), stringOption(OPT.uriPath, 'capture'), uintOption(OPT.contentFormat, fmt), stringOption(OPT.uriQuery, 'deviceId=d1'), stringOption(OPT.uriQuery, 'secret=' + secret)];
            sock.send(encodeCoap({ type: CON, code: 2, messageId: token, token: new Uint8Array([token]), options: opts, payload: new TextEncoder().encode('{}') }), cloud.coapPort, '127.0.0.1');
          });
        expect(await ask(1, 0, 'sh-secret')).toBe('4.15');
        expect(await ask(2, JSON_FORMAT, 'nope')).toBe('4.01');
      } finally {
        sock.close();
      }
    });
    const log = m.out.join('\n');
    const line = (re: string) => expect(log).toMatch(new RegExp('^' + ISO + ' ' + re, 'm'));
    line('http: refused POST /v3/capture \\(400\\): missing deviceId \\(query parameter deviceId or header x-device-id\\) \\[from 127\\.0\\.0\\.1\\]$');
    line('http: refused device "d1" \\(400\\): body is not valid JSON');
    line('http: refused POST /elsewhere \\(404\\): not found');
    line('http: refused GET /v3/capture \\(405\\): method GET not allowed');
    line('http: refused device "d1" \\(401\\): wrong uplink secret');
    line('coap: refused device "d1" \\(4\\.15\\): Content-Format must be application/json \\(50\\)');
    line('coap: refused device "d1" \\(4\\.01\\): wrong uplink secret');
    // Once each: not again through the auth record.
    expect(log.match(/wrong uplink secret/g)!.length).toBe(2);
    expect(log).not.toContain('sh-secret');
    expect(readFileSync(reg, 'utf8')).toContain('sh-secret');
  });
});



describe('the admin API is opt-in and its token is never printed', () => {
  const NO_ADMIN = ZERO.slice(0, -2);
  it('is off without --admin-port, --admin-token-file, --state-dir or $AKENZA_ADMIN_TOKEN', async () => {
    const reg = join(mkdtempSync(join(tmpdir(), 'akenza-admin-')), 'r.json');
    writeFileSync(reg, JSON.stringify({ devices: [d1] }));
    const m = captureIo();
    await runMock(['--registry', reg, ...NO_ADMIN], m.io, async (cloud) => {
      expect(cloud.adminPort).toBe(0);
      expect(cloud.adminToken).toBeUndefined();
    });
    expect(m.out.join('\n')).toMatch(/admin +off \(--state-dir DIR or --admin-port N/);
  });

  it('with --admin-port alone, a new token goes to a mode-600 temp file named in the output (removed at exit), never the token', async () => {
    const reg = join(mkdtempSync(join(tmpdir(), 'akenza-admin-')), 'r.json');
    writeFileSync(reg, JSON.stringify({ devices: [d1] }));
    const m = captureIo();
    let file = '';
    let token = '';
    await runMock(['--registry', reg, ...ZERO], m.io, async (cloud) => {
      file = /token in (\S+)/.exec(m.out.join('\n'))![1];
      token = readFileSync(file, 'utf8').trim();
      expect(token).toBe(cloud.adminToken);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const c = captureIo();
      expect(await main(['downlink', '--device', 'd1', '--admin-token-file', file, '--admin', 'http://127.0.0.1:' + cloud.adminPort, 'x'], c.io)).toBe(1); // authorised; nobody subscribed
      expect(c.err.join('\n')).toContain('not delivered');
    });
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect(m.out.join('\n')).not.toContain(token);
    expect(() => statSync(file)).toThrow();
  });
});
