// The `registry` and `mock` subcommands, through main() with captured output; `mock` also as a real
// process stopped by SIGINT.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { runMock } from '../../src/cli/mock';
import { captureIo, fixture, FIXTURES } from '../helpers';
import { connackFor, mint, nowS } from '../mock/helpers';

const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-mock-'));

describe('akenza-device registry', () => {
  it('creates the file, adds keys (max 3), adds a connector; refusals name the file and entry', async () => {
    const reg = join(dir, 'reg.json');
    let c = captureIo();
    expect(await main(['registry', 'add', '--registry', reg, '--device', 'd1', '--key', join(FIXTURES, 'ec.pub.pem')], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/added credential kid 1c3a79d1.* to device d1 \(1 of 3\)/);
    expect(await main(['registry', 'add', '--registry', reg, '--device', 'd1', '--key', join(FIXTURES, 'rsa.cert.pem'), '--expires', '2030-01-01T00:00:00Z'], captureIo().io)).toBe(0);
    expect(await main(['registry', 'add', '--registry', reg, '--device', 'd1', '--key', join(FIXTURES, 'ec.cert.pem')], captureIo().io)).toBe(0);
    c = captureIo();
    expect(await main(['registry', 'add', '--registry', reg, '--device', 'd1', '--key', join(FIXTURES, 'rsa.pub.pem')], c.io)).toBe(1);
    expect(c.err[0]).toContain(reg + ': devices[0] (deviceId "d1").credentials: 4 keys');
    c = captureIo();
    expect(await main(['registry', 'add', '--registry', reg, '--device', 'd2', '--key', join(FIXTURES, 'rsa1024.pub.pem')], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/: RSA_KEY_TOO_SMALL: .*devices\[1\] \(deviceId "d2"\)\.credentials\[0\]: /);
    c = captureIo();
    expect(await main(['registry', 'connector', '--registry', reg, '--id', 'conn-1', '--secret', 'topsecret', '--device', 'd1'], c.io)).toBe(0);
    expect(c.out.join('\n')).not.toContain('topsecret');
    c = captureIo();
    expect(await main(['registry', 'connector', '--registry', reg, '--id', 'conn-1', '--secret', 'topsecret', '--device', 'ghost'], c.io)).toBe(1);
    expect(c.err[0]).toMatch(/references unknown device "ghost"/);
    expect(await main(['registry', 'connector', '--registry', reg, '--id', 'conn-1', '--secret', 'other', '--device', 'd1'], captureIo().io)).toBe(2);
    expect(await main(['registry', 'frobnicate'], captureIo().io)).toBe(2);
    const json = JSON.parse(readFileSync(reg, 'utf8'));
    expect(json.devices.length).toBe(1);
    expect(json.devices[0].credentials.length).toBe(3);
    expect(json.devices[0].credentials[1].expiresAt).toBe('2030-01-01T00:00:00Z');
    expect(json.connectors).toEqual([{ id: 'conn-1', uplinkSecret: 'topsecret', devices: ['d1'] }]);
  });
});

describe('akenza-device mock', () => {
  const reg = join(dir, 'mock-reg.json');
  writeFileSync(reg, JSON.stringify({ devices: [{ deviceId: 'd1', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [{ id: 'c1', uplinkSecret: 'hush-hush', devices: ['d1'] }] }));
  const ports = ['--mqtt-port', '0', '--mqtts-port', '0', '--ws-port', '0', '--wss-port', '0', '--http-port', '0', '--coap-port', '0', '--udp-port', '0', '--admin-port', '0'];

  it('prints where it listens and every uplink (no secrets), writes JSON lines, stops cleanly', async () => {
    const c = captureIo();
    const jsonl = join(dir, 'up.jsonl');
    const caOut = join(dir, 'ca.pem');
    await runMock(['--registry', reg, ...ports, '--ca-out', caOut, '--uplinks-out', jsonl], c.io, async (cloud) => {
      const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=d1&topic=t', { method: 'POST', headers: { secret: 'hush-hush' }, body: '{"x":1}' });
      expect(r.status).toBe(200);
      const bad = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=d1', { method: 'POST', headers: { secret: 'wrong-one' }, body: '{}' });
      expect(bad.status).toBe(401);
      const t = mint({ key: createPrivateKey(fixture('ec.pkcs8.pem')), claims: { aud: 'https://akenza.io/devices/d1', exp: nowS() + 60 } });
      expect(await connackFor(cloud.mqttPort, 'd1', t)).toBe(0);
      // The web console on the admin port: the token once, then the cookie.
      expect((await fetch(cloud.consoleUrl as string)).status).toBe(401);
      const signIn = await fetch(cloud.consoleUrl + '?token=' + encodeURIComponent(cloud.adminToken as string), { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      const page = await fetch(cloud.consoleUrl as string, { headers: { cookie: (signIn.headers.get('set-cookie') as string).split(';')[0] } });
      expect(await page.text()).toContain('data-device="d1"');
    });
    const text = c.out.join('\n');
    expect(text).toMatch(/\n {2}web {4}http:\/\/127\.0\.0\.1:\d+\/\?token=TOKEN \(the console: TOKEN is the admin token, once per browser\)/);
    expect(text).toMatch(/mqtt +mqtt:\/\/127\.0\.0\.1:\d+/);
    expect(text).toMatch(/mqtts +mqtts:\/\/127\.0\.0\.1:\d+ \(CA in /);
    expect(text).toMatch(/http +http:\/\/127\.0\.0\.1:\d+\/v3\/capture/);
    expect(text).toMatch(/coap +coap:\/\//);
    expect(text).toMatch(/udp +udp:\/\//);
    expect(text).toContain('uplink http d1 topic=t {"x":1}');
    expect(text).toMatch(/http: refused device "d1" \(401\): wrong uplink secret/);
    expect(text).toContain('mock cloud stopped');
    expect(text).not.toContain('hush-hush');
    expect(text).not.toContain('wrong-one');
    expect(existsSync(caOut)).toBe(true);
    const line = JSON.parse(readFileSync(jsonl, 'utf8').trim());
    expect(line).toMatchObject({ deviceId: 'd1', transport: 'http', topic: 't', payload: { x: 1 }, secretVia: 'header' });
  });

  it('--tls-rsa serves an RSA-2048 server certificate (for Espruino), written CA included', async () => {
    const caOut = join(dir, 'rsa-ca.pem');
    await runMock(['--registry', reg, ...ports, '--ca-out', caOut, '--tls-rsa', '--quiet'], captureIo().io, async (cloud) => {
      const { connect } = await import('node:tls');
      const key = await new Promise<string>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', servername: 'localhost', port: cloud.mqttsPort, ca: readFileSync(caOut, 'utf8') }, () => {
          const c = s.getPeerCertificate();
          resolve((c.modulus ? 'rsa-' : 'other-') + c.bits);
          s.end();
        });
        s.on('error', reject);
      });
      expect(key).toBe('rsa-2048');
    });
  });

  it('a device registered with a certificate from `cert` connects to `mock`; inspect --registry agrees', async () => {
    const certReg = join(dir, 'cert-reg.json');
    const certFile = join(dir, 'dev.cert.pem');
    const key = join(FIXTURES, 'rsa.pkcs8.pem');
    expect(await main(['cert', '--key', key, '--device', 'rsa-dev', '--out', certFile], captureIo().io)).toBe(0);
    const c = captureIo();
    expect(await main(['registry', 'add', '--registry', certReg, '--device', 'rsa-dev', '--key', certFile, '--json'], c.io)).toBe(0);
    const added = JSON.parse(c.out.join('\n'));
    expect(added).toMatchObject({ deviceId: 'rsa-dev', format: 'RSA X509 PEM', alg: 'RS256' });
    const t = captureIo();
    expect(await main(['jwt', '--key', key, '--device', 'rsa-dev', '--cert', certFile], t.io)).toBe(0);
    const token = t.out[0];
    const i = captureIo();
    expect(await main(['inspect', token, '--registry', certReg], i.io)).toBe(0);
    expect(i.out.join('\n')).toContain('signature verifies with credential ' + added.kid + ' from ' + certReg);
    const m = captureIo();
    await runMock(['--registry', certReg, ...ports], m.io, async (cloud) => {
      expect(await connackFor(cloud.mqttPort, 'rsa-dev', token)).toBe(0);
      expect(await connackFor(cloud.mqttPort, 'rsa-dev', token.slice(0, -4) + 'AAAA')).toBe(5);
    });
    expect(m.out.join('\n')).toMatch(/mqtt: refused clientId "rsa-dev" \(5\): signature does not verify with credential /);
  });

  it('needs --registry; reports a bad registry with file and entry', async () => {
    expect(await main(['mock'], captureIo().io)).toBe(2);
    const badReg = join(dir, 'bad.json');
    writeFileSync(badReg, JSON.stringify({ devices: [{ deviceId: 'd1', credentials: [{ publicKey: fixture('p384.pub.pem') }] }] }));
    const c = captureIo();
    expect(await main(['mock', '--registry', badReg, ...ports], c.io)).toBe(1);
    expect(c.err[0]).toContain('CURVE_UNSUPPORTED: ' + badReg + ': devices[0] (deviceId "d1").credentials[0]: ');
  });

  it('runs as a process until SIGINT', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli', 'bin.ts'), 'mock', '--registry', reg, ...ports], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    for (let i = 0; i < 1000 && !/udp +udp:/.test(out); i++) await new Promise((r) => setTimeout(r, 20));
    expect(out).toMatch(/udp +udp:\/\/127\.0\.0\.1:\d+/);
    const port = Number(/mqtt +mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
    const t = mint({ key: createPrivateKey(fixture('ec.pkcs8.pem')), claims: { aud: 'https://akenza.io/devices/d1', exp: nowS() + 60 } });
    expect(await connackFor(port, 'd1', t)).toBe(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(0);
    expect(out).toContain('mock cloud stopped');
  });
});
