// The mock serving boards on the network (issue 16, items 10-11 and 14): `mock --host 0.0.0.0
// --state-dir DIR` is reached by mosquitto_pub at a non-loopback address of this machine with the CA
// from DIR, again after a restart with the same CA file; a CA from another state dir is refused; the
// server certificate is re-issued (CA kept) when a name is added; key files are mode 600; a port in
// use is exit 1 with the fix; every log line carries an ISO timestamp.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { runMock } from '../../src/cli/mock';
import { captureIo, fixture } from '../helpers';
import { mint, nowS } from './helpers';
import { killAll, lanAddress, run } from './procs';

const ZERO = ['--mqtt-port', '0', '--mqtts-port', '0', '--ws-port', '0', '--wss-port', '0', '--http-port', '0', '--coap-port', '0', '--udp-port', '0', '--admin-port', '0'];
const registry = { devices: [{ deviceId: 'd1', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] };
const token = () => mint({ key: createPrivateKey(fixture('ec.pkcs8.pem')), claims: { aud: 'https://akenza.io/devices/d1', exp: nowS() + 600 } });
const lan = lanAddress();
// Without a non-loopback address, 127.0.0.2 stands in for one; it is no interface address, so it is named.
const extraName = lan.lan ? [] : ['--tls-name', lan.address];

function pub(port: number, caFile: string, message: string) {
  return run('mosquitto_pub', ['-h', lan.address, '-p', String(port), '--cafile', caFile, '-i', 'd1', '-u', 'any', '-P', token(), '-t', '/up/device/id/d1/lan', '-q', '1', '-m', message]);
}

afterEach(killAll);

/** How many certificates the server sends (openssl s_client, not Node, which completes chains from its store). */
async function sentCertificates(port: number): Promise<number> {
  const r = await run('openssl', ['s_client', '-connect', '127.0.0.1:' + port, '-servername', 'localhost', '-showcerts']);
  return (r.out.match(/-----BEGIN CERTIFICATE-----/g) || []).length;
}

describe('mock --host 0.0.0.0 --state-dir DIR', () => {
  it('a board at ' + lan.address + (lan.lan ? ' (LAN address)' : ' (no LAN address here: second loopback)') + ' connects over MQTTS with DIR/ca.pem, and again after a restart', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'akenza-lan-')), 'state');
    const first = captureIo();
    let caFirst = '';
    await runMock(['--state-dir', dir, '--host', '0.0.0.0', ...extraName, ...ZERO], first.io, async (cloud) => {
      // The state dir was made; its registry is the empty one: fill it (the watcher applies it).
      writeFileSync(join(dir, 'registry.json'), JSON.stringify(registry));
      for (let i = 0; i < 500 && !cloud.registry.device('d1'); i++) await new Promise((r) => setTimeout(r, 20));
      caFirst = readFileSync(join(dir, 'ca.pem'), 'utf8');
      const leaf = new X509Certificate(readFileSync(join(dir, 'server.pem'), 'utf8'));
      expect(leaf.checkIP(lan.address), 'server certificate covers ' + lan.address).toBe(lan.address);
      expect(leaf.checkHost('localhost')).toBe('localhost');
      const r = await pub(cloud.mqttsPort, join(dir, 'ca.pem'), '{"run":1}');
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
      const u = await cloud.waitForUplink((x) => x.topic === 'lan');
      expect(u.payload).toEqual({ run: 1 });
    });
    const text = first.out.join('\n');
    // Printed URLs are ones a board can use: a machine address, never 0.0.0.0.
    expect(text).not.toContain('0.0.0.0');
    if (lan.lan) expect(text).toMatch(new RegExp('mqtts +mqtts://' + lan.address.replace(/\./g, '\\.') + ':\\d+ \\(CA in ' + join(dir, 'ca.pem').replace(/[.\\/]/g, '\\$&') + '\\)'));
    expect(text).toMatch(/TLS certificate names: localhost, 127\.0\.0\.1, ::1, /);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z tls: made a new CA /m);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z registry: reloaded .*: 1 device\(s\)/m);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z mqtts: connected "d1" \(jwt\)/m);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z uplink mqtts d1 topic=lan \{"run":1\}/m);
    for (const f of ['ca.key', 'server.key', 'admin-token']) expect((statSync(join(dir, f)).mode & 0o777).toString(8), f).toBe('600');
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    // Restart: same state dir, same CA file; the board is not re-flashed.
    const second = captureIo();
    await runMock(['--state-dir', dir, '--host', '0.0.0.0', ...extraName, ...ZERO], second.io, async (cloud) => {
      expect(cloud.registry.device('d1')).toBeDefined(); // the registry was kept too
      const r = await pub(cloud.mqttsPort, join(dir, 'ca.pem'), '{"run":2}');
      expect(r.code).toBe(0);
      expect((await cloud.waitForUplink((x) => x.topic === 'lan')).payload).toEqual({ run: 2 });

      // The check is real: a CA from another state dir does not verify this server.
      const other = join(mkdtempSync(join(tmpdir(), 'akenza-lan-other-')), 'state');
      await runMock(['--state-dir', other, ...ZERO, '--quiet'], captureIo().io, async () => undefined);
      const bad = await pub(cloud.mqttsPort, join(other, 'ca.pem'), '{"run":"bad"}');
      expect(bad.code).not.toBe(0);
      expect(bad.out).toMatch(/certificate verify failed|TLS|SSL|Error/i);
    });
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(caFirst);
    expect(second.out.join('\n')).not.toMatch(/made a new CA|re-issued/);
  });

  it('re-issues the server certificate from the kept CA when a --tls-name is added; a CA file without its key is an error', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'akenza-lan-')), 'state');
    await runMock(['--state-dir', dir, ...ZERO, '--quiet'], captureIo().io, async () => undefined);
    const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
    const key = readFileSync(join(dir, 'server.key'), 'utf8');
    const c = captureIo();
    await runMock(['--state-dir', dir, '--tls-name', 'board-gw.local', '--tls-name', '10.9.8.7', ...ZERO], c.io, async (cloud) => {
      expect(cloud.tlsNames).toEqual(['localhost', '127.0.0.1', '::1', 'board-gw.local', '10.9.8.7']);
    });
    expect(c.out.join('\n')).toMatch(/tls: server certificate re-issued from the kept CA .*ca\.pem for localhost, 127\.0\.0\.1, ::1, board-gw\.local, 10\.9\.8\.7/);
    const leaf = new X509Certificate(readFileSync(join(dir, 'server.pem'), 'utf8'));
    expect(leaf.subjectAltName).toContain('DNS:board-gw.local');
    expect(leaf.checkIP('10.9.8.7')).toBe('10.9.8.7');
    expect(leaf.checkIssued(new X509Certificate(ca))).toBe(true);
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(ca);
    expect(readFileSync(join(dir, 'server.key'), 'utf8')).toBe(key); // the server key is kept too

    // --tls-rsa keeps its own RSA CA next to the P-256 one; the server sends leaf + CA either way.
    await runMock(['--state-dir', dir, '--tls-rsa', ...ZERO, '--quiet'], captureIo().io, async (cloud) => {
      const { connect } = await import('node:tls');
      const seen = await new Promise<string>((resolve, reject) => {
        const sock = connect({ host: '127.0.0.1', servername: 'localhost', port: cloud.wssPort, ca: readFileSync(join(dir, 'rsa-ca.pem'), 'utf8') }, () => {
          const c = sock.getPeerCertificate(true);
          resolve((c.modulus ? 'rsa-' : 'other-') + c.bits);
          sock.end();
        });
        sock.on('error', reject);
      });
      expect(seen).toBe('rsa-2048');
      expect(await sentCertificates(cloud.wssPort)).toBe(2);
    });
    expect((statSync(join(dir, 'rsa-ca.key')).mode & 0o777).toString(8)).toBe('600');
    expect(readFileSync(join(dir, 'ca.pem'), 'utf8')).toBe(ca);

    writeFileSync(join(dir, 'ca.key'), '');
    const broken = captureIo();
    expect(await main(['mock', '--state-dir', dir, ...ZERO], broken.io)).toBe(1);
    expect(broken.err.join('\n')).toMatch(/kept CA in .*ca\.pem .* is not usable/);
    const bad = captureIo();
    expect(await main(['mock', '--state-dir', dir, '--tls-name', 'bad name', ...ZERO], bad.io)).toBe(2);
    expect(bad.err[0]).toContain('--tls-name "bad name" is not a DNS name or IP address');
  });

  it('--tls-cert/--tls-key/--tls-ca serve your own certificate, chain with the CA', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'akenza-lan-')), 'state');
    await runMock(['--state-dir', dir, ...ZERO, '--quiet'], captureIo().io, async () => undefined);
    const reg = join(dir, 'registry.json');
    writeFileSync(reg, JSON.stringify(registry));
    const caOut = join(dir, 'ca-out.pem');
    await runMock(['--registry', reg, '--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server.key'), '--tls-ca', join(dir, 'ca.pem'), '--ca-out', caOut, ...ZERO, '--quiet'], captureIo().io, async (cloud) => {
      expect(cloud.tlsNames).toEqual([]);
      expect(await sentCertificates(cloud.mqttsPort)).toBe(2); // server.pem holds the leaf only: the CA was appended
    });
    expect(readFileSync(caOut, 'utf8')).toBe(readFileSync(join(dir, 'ca.pem'), 'utf8'));
    expect(await main(['mock', '--registry', reg, '--tls-cert', join(dir, 'server.pem')], captureIo().io)).toBe(2);
  });
});

describe('mock --host ::', () => {
  it('listens dual-stack (UDP on a udp6 socket): MQTT by ::1 and 127.0.0.1, a UDP uplink by IPv4', async () => {
    const reg = join(mkdtempSync(join(tmpdir(), 'akenza-lan-')), 'reg.json');
    writeFileSync(reg, JSON.stringify({ ...registry, connectors: [{ id: 'c1', uplinkSecret: 'udp-secret', devices: ['d1'] }] }));
    const c = captureIo();
    await runMock(['--registry', reg, '--host', '::', ...ZERO], c.io, async (cloud) => {
      expect(cloud.tlsNames).toContain('::1');
      for (const h of ['::1', '127.0.0.1']) {
        const r = await run('mosquitto_pub', ['-h', h, '-p', String(cloud.mqttPort), '-i', 'd1', '-u', 'any', '-P', token(), '-t', '/up/device/id/d1/v6', '-q', '1', '-m', JSON.stringify({ h })]);
        expect(r.code, h + ': ' + r.out).toBe(0);
        await cloud.waitForUplink((u) => u.topic === 'v6' && (u.payload as { h: string }).h === h);
      }
      const { createSocket } = await import('node:dgram');
      const sock = createSocket('udp4');
      sock.send('deviceId=d1&secret=udp-secret&topic=u6\n{"udp":true}', cloud.udpPort, '127.0.0.1', () => sock.close());
      expect((await cloud.waitForUplink((u) => u.topic === 'u6')).payload).toEqual({ udp: true });
    });
    expect(c.out.join('\n')).not.toMatch(/mqtt:\/\/\[?::\]?:/);
  });
});

describe('a port in use', () => {
  it('is exit 1 naming the listener and the fix (--X-port N, 0 for a free port), not an internal error', async () => {
    const reg = join(mkdtempSync(join(tmpdir(), 'akenza-lan-')), 'reg.json');
    writeFileSync(reg, JSON.stringify(registry));
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      for (const name of ['mqtt', 'wss', 'admin']) {
        const args = [...ZERO];
        args[args.indexOf('--' + name + '-port') + 1] = String(taken);
        const c = captureIo();
        expect(await main(['mock', '--registry', reg, ...args], c.io), name).toBe(1);
        const err = c.err.join('\n');
        expect(err).toContain('cannot listen for ' + name + ' on 127.0.0.1:' + taken);
        expect(err).toContain('EADDRINUSE');
        expect(err).toContain('choose another with --' + name + '-port N (--' + name + '-port 0 picks any free port)');
        expect(err).not.toMatch(/internal error|please report/);
      }
      // The bin itself (what a user runs): exit 1, not the internal-error exit 70.
      const bin = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli', 'bin.ts'), 'mock', '--registry', reg, ...ZERO.slice(2), '--mqtt-port', String(taken)]);
      expect(bin.code).toBe(1);
      expect(bin.out).toContain('choose another with --mqtt-port N (--mqtt-port 0 picks any free port)');
      expect(bin.out).not.toContain('internal error');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
