// The examples run as their READMEs say: the `npm start` demo (scripted with --duration, and stopped by
// Ctrl-C/SIGTERM), the quickstart, and the Node simulator (local mock, then a mock given by env vars).
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startMockCloud } from '../../src/mock/index';
import { fingerprint } from '../../src/keys';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** Starts a process and resolves with its exit once done; `until` sees stdout as it grows. */
function start(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env || process.env });
  let stdout = '';
  let stderr = '';
  const watchers: { re: RegExp; resolve: () => void }[] = [];
  p.stdout.on('data', (d) => {
    stdout += d;
    for (const w of watchers.slice()) if (w.re.test(stdout)) (watchers.splice(watchers.indexOf(w), 1), w.resolve());
  });
  p.stderr.on('data', (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => p.on('close', (code, signal) => resolve({ code, signal })));
  return {
    p,
    exit,
    out: () => stdout,
    err: () => stderr,
    until: (re: RegExp) => (re.test(stdout) ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ re, resolve }))),
  };
}

const SUMMARY = /^summary: (\d+) uplinks? recorded by the mock, (\d+) token refresh(?:es)?, (\d+) downlinks? received, (\d+) connects? accepted, (\d+) refused; the device published (\d+), (\d+) left queued$/m;

describe('npm start (examples/node/demo.mjs)', () => {
  it('with --duration: connects over TLS, publishes every second, gets the downlink, refreshes its token, exits 0 with a summary', async () => {
    const { stdout } = await exec('npm', ['start', '--silent', '--', '--duration', '8'], { cwd: root, timeout: 60_000 });
    // Every event line: time offset, who, what, aligned.
    const events = stdout.split('\n').filter((l) => l.startsWith('+'));
    for (const l of events) expect(l).toMatch(/^\+ {0,3}\d+\.\d\ds {2}(cloud |device|demo  ) {2}\S/);
    expect(stdout).toMatch(/device {2}created with a fresh ES256 key; 5 s tokens/); // a short run gets short tokens
    expect(stdout).toMatch(/device {2}connected over TLS, token valid 5 s/);
    expect(stdout).toMatch(/cloud {3}web console: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43} \(open it in a browser on this machine\)/);
    expect(stdout).toMatch(/cloud {3}uplink #1 from a1b2c3d4e5f60718 on "environment" over mqtts: \{"temperature":[\d.]+,"led":"off"\}/);
    expect(stdout).toMatch(/device {2}downlink on "commands": \{"led":"on"\}/);
    expect(stdout).toMatch(/device {2}LED off -> on/);
    expect(stdout).toMatch(/device {2}token refresh: switching to a token minted ahead of time/);
    expect(stdout).toMatch(/device {2}disconnected \(planned: token refresh\)/);
    expect(stdout).toMatch(/demo {4}8 s are up, stopping/);
    const s = SUMMARY.exec(stdout)!.slice(1).map(Number);
    const [uplinks, refreshes, downlinks, accepted, refused, published, queued] = s;
    expect(uplinks).toBeGreaterThanOrEqual(6); // one a second for 8 s, less start-up and the last tick
    expect(refreshes).toBeGreaterThanOrEqual(1);
    // one connect, then one per refresh; a refresh whose reconnect the stop at 8 s cuts short (5 s
    // tokens refresh at ~4 s and ~8 s) has its tokenRefreshed but no second CONNACK
    expect(accepted).toBeGreaterThanOrEqual(refreshes);
    expect(accepted).toBeLessThanOrEqual(refreshes + 1);
    expect([downlinks, refused, queued]).toEqual([1, 0, 0]);
    expect(published).toBeGreaterThanOrEqual(uplinks);
    expect(stdout).not.toMatch(/PRIVATE KEY|eyJ/); // no key or token in the output
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`runs until ${signal}, then stops the device, closes the mock and exits 0 with a summary`, async () => {
      const demo = start('node', ['examples/node/demo.mjs'], { cwd: root });
      await demo.until(/demo {4}running until Ctrl-C/);
      expect(demo.out()).toMatch(/20 s tokens/); // the default lifetime: a refresh within the first minute
      await demo.until(/device {2}downlink on "commands"/);
      demo.p.kill(signal);
      expect(await demo.exit).toEqual({ code: 0, signal: null });
      expect(demo.out()).toMatch(new RegExp('demo {4}' + (signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM') + ', stopping'));
      expect(demo.out()).toMatch(/cloud {3}mqtts: disconnected "a1b2c3d4e5f60718": client sent DISCONNECT/);
      const [uplinks, , downlinks, accepted, refused] = SUMMARY.exec(demo.out())!.slice(1).map(Number);
      expect(uplinks).toBeGreaterThanOrEqual(2);
      expect([downlinks, accepted, refused]).toEqual([1, 1, 0]);
      expect(demo.err()).toBe('');
    });
  }

  it('--help and -h print the usage and options and exit 0, through npm start too', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await exec('node', ['examples/node/demo.mjs', flag], { cwd: root });
      expect(r.stdout).toMatch(/^usage: npm start -- \[--duration S\]/);
      expect(r.stdout).toContain('--token-lifetime S');
      expect(r.stderr).toBe('');
    }
    const npm = await exec('npm', ['start', '--silent', '--', '--help'], { cwd: root });
    expect(npm.stdout).toMatch(/^usage: npm start --/m);
  });

  it('refuses a bad option with a usage line and exit code 2', async () => {
    const r = await exec('node', ['examples/node/demo.mjs', '--duration', 'soon'], { cwd: root }).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--duration must be a number of seconds/);
  });
});

describe('examples/node/quickstart.mjs', () => {
  it('mints a token that verifies', async () => {
    const { stdout } = await exec('node', ['examples/node/quickstart.mjs', 'dev-42'], { cwd: root });
    expect(stdout).toMatch(/-----BEGIN PUBLIC KEY-----/);
    expect(stdout).not.toMatch(/PRIVATE KEY/);
    expect(stdout).toContain('"aud":"https://akenza.io/devices/dev-42"');
    expect(stdout).toContain('signature verifies with node:crypto: true');
  });
});

describe('examples/node-simulator', () => {
  const simulator = join(root, 'examples', 'node-simulator', 'simulator.mjs');

  it('first run: makes and keeps its key, runs against a local mock, handles the downlink; a deployment from env vars reuses the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simulator-'));
    const env = { ...process.env };
    delete env.AKENZA_MQTT_URL;
    const first = await exec('node', [simulator, '--count', '3', '--interval', '0.3'], { cwd: dir, env, timeout: 30_000 });
    expect(first.stdout).toMatch(/made a new ES256 key: device\.key\.pem \(keep it private\), device\.pub\.pem \(register it for sim-0001\)/);
    expect(first.stdout).toMatch(/no AKENZA_MQTT_URL: started a local mock cloud \(mqtts:\/\/localhost:\d+\)/);
    expect(first.stdout).toMatch(/downlink on "commands": \{"led":"blink"\}/);
    expect(first.stdout).toMatch(/uplink 3 acknowledged: \{"temperature":[\d.]+,"humidity":\d+,"led":"blink"\}/);
    expect(first.stdout).toMatch(/the mock recorded 3 uplinks from sim-0001/);
    expect(first.stdout).not.toMatch(/PRIVATE KEY/);
    expect(statSync(join(dir, 'device.key.pem')).mode & 0o777).toBe(0o600);
    const pub = readFileSync(join(dir, 'device.pub.pem'), 'utf8');
    expect(first.stdout).toContain('kid (SHA-256 fingerprint of the public key): ' + fingerprint(pub));

    // Second run, as against a real deployment: URL and CA from the environment, the stored key reused.
    const cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'sim-0001', credentials: [{ publicKey: pub }] }], connectors: [] } });
    try {
      writeFileSync(join(dir, 'ca.pem'), cloud.caPem);
      cloud.on('uplink', (u) => {
        if (cloud.uplinks.length === 1) cloud.sendDownlink(u.deviceId, { intervalS: 0.2 }, { topic: 'config' });
      });
      const second = start('node', [simulator, '--count', '4', '--interval', '0.5'], {
        cwd: dir, env: { ...env, AKENZA_MQTT_URL: `mqtts://localhost:${cloud.mqttsPort}`, AKENZA_CA_FILE: 'ca.pem', AKENZA_DEVICE_ID: 'sim-0001' },
      });
      expect(await second.exit, second.err()).toEqual({ code: 0, signal: null });
      expect(second.out()).toMatch(/using the key in device\.key\.pem/);
      expect(second.out()).not.toMatch(/made a new ES256 key|local mock/);
      expect(second.out()).toMatch(/downlink on "config": \{"intervalS":0\.2\}/);
      expect(second.out()).toMatch(/reporting interval is now 0\.2 s/);
      const mine = cloud.uplinks.filter((u) => u.deviceId === 'sim-0001');
      expect(mine.length).toBe(4);
      for (const u of mine) {
        expect([u.transport, u.topic, u.auth]).toEqual(['mqtts', 'environment', 'jwt']);
        expect(u.payload).toEqual({ temperature: expect.any(Number), humidity: expect.any(Number), led: 'off' });
      }
      expect(cloud.authLog.filter((e) => e.clientId === 'sim-0001').map((e) => e.code)).toEqual([0]);
    } finally {
      await cloud.close();
    }
  });
});
