// `akenza-device simulate`: small real fleets (SDK devices, node:crypto keys) against the mock cloud;
// what the mock recorded (accepted CONNECTs, uplinks per device) is checked against the report.
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AkenzaError } from '../../src/errors';
import { main } from '../../src/cli/main';
import { Histogram } from '../../src/cli/simulate/histogram';
import { checkDescriptors, openFileLimits } from '../../src/cli/simulate/limits';
import { Registry, startMockCloud } from '../../src/mock/index';
import { captureIo } from '../helpers';

const dir = mkdtempSync(join(tmpdir(), 'akenza-simulate-'));
const ROOT = join(import.meta.dirname, '..', '..');

async function simulate(args: string[]): Promise<{ code: number; report: any; err: string }> {
  const c = captureIo();
  const code = await main(['simulate', ...args, '--json', '--progress', 'none'], c.io);
  return { code, report: c.out.length ? JSON.parse(c.out.join('\n')) : null, err: c.err.join('\n') };
}

describe('akenza-device simulate', () => {
  it('prepares keys + registry, then runs them against a mock the test started: the mock saw every device, every uplink, one forced refresh each', async () => {
    const keys = join(dir, 'keys');
    const reg = join(dir, 'registry.json');
    const c = captureIo();
    expect(await main(['simulate', '--prepare-only', '--devices', '25', '--rs256-devices', '5', '--rsa-pool', '2', '--keys-dir', keys, '--registry-out', reg], c.io)).toBe(0);
    expect(c.out[0]).toMatch(/prepared 25 device\(s\)/);
    const files = readdirSync(keys);
    expect(files.filter((f) => f.endsWith('.key.pem')).length).toBe(25);
    expect(files.filter((f) => f.endsWith('.pub.pem')).length).toBe(25);
    expect(statSync(join(keys, 'sim-00.key.pem')).mode & 0o777).toBe(0o600);
    // Each public key is the private key's (node:crypto derives it independently); the last 5 are RSA.
    for (const id of ['sim-00', 'sim-19', 'sim-20', 'sim-24']) {
      const priv = createPrivateKey(readFileSync(join(keys, id + '.key.pem'), 'utf8'));
      expect(priv.asymmetricKeyType).toBe(id >= 'sim-20' ? 'rsa' : 'ec');
      expect(createPublicKey(priv).export({ type: 'spki', format: 'pem' })).toBe(readFileSync(join(keys, id + '.pub.pem'), 'utf8'));
    }
    const registry = Registry.load(reg); // the mock's own validation
    expect(registry.devices.size).toBe(25);

    const cloud = await startMockCloud({ registryFile: reg });
    const accepted: string[] = [];
    const perDevice: { [id: string]: number } = {};
    cloud.on('connect', (s) => accepted.push(s.clientId));
    cloud.on('uplink', (u) => (perDevice[u.deviceId] = (perDevice[u.deviceId] || 0) + 1));
    try {
      const r = await simulate(['--keys-dir', keys, '--url', 'mqtt://127.0.0.1:' + cloud.mqttPort, '--rate', '60', '--duration', '3', '--refresh-at', '1']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const rep = r.report;
      expect(rep.ok).toBe(true);
      expect(rep.devices).toEqual({ total: 25, es256: 20, rs256: 5, rsaKeys: 2 });
      expect(rep.keys.source).toBe('loaded');
      expect(rep.connect.connected).toBe(25);
      // Every device connected, then once more after the forced refresh; the mock refused nothing.
      expect(new Set(accepted).size).toBe(25);
      expect(accepted.length).toBe(50);
      expect(cloud.authLog.filter((e) => e.code !== 0)).toEqual([]);
      expect(rep.tokens.forcedRefreshes).toBe(25);
      expect(rep.tokens.refreshes).toBe(25);
      expect(rep.tokens.refreshGapMs.count).toBe(25);
      expect(rep.connections.connects).toBe(50);
      expect(rep.connections.reconnects).toBe(0);
      // Uplinks: what the mock recorded is what the report counts as acknowledged.
      const total = Object.values(perDevice).reduce((a, b) => a + b, 0);
      expect(total).toBe(rep.run.acked);
      expect(rep.run.acked).toBe(rep.run.published);
      expect(rep.run.acked).toBeGreaterThanOrEqual(150); // 60/s for 3 s, less the last tick's remainder
      expect(rep.run.acked).toBeLessThanOrEqual(181);
      expect(Object.keys(perDevice).length).toBe(25); // round-robin reached every device, RS256 ones too
      expect(rep.errors.count).toBe(0);
      expect(rep.mock).toBe(null);
    } finally {
      await cloud.close();
    }
  });

  it('runs its own mock in-process: token lifetime drives refreshes, the mock counts match the report', async () => {
    const r = await simulate(['--devices', '12', '--rate', '40', '--duration', '3', '--lifetime', '2', '--mock', 'inline']);
    expect(r.code).toBe(0);
    const rep = r.report;
    expect(rep.ok).toBe(true);
    expect(rep.target.mock).toBe('mock inline');
    expect(rep.connect.allConnected).toBe(true);
    // A 2 s token is due for refresh at 80-90% of its life (exp has whole seconds, so sometimes
    // earlier): every device refreshes at least once in 3 s, some twice.
    expect(rep.tokens.refreshes).toBeGreaterThanOrEqual(12);
    expect(rep.tokens.forcedRefreshes).toBe(0);
    expect(rep.mock.devicesSeen).toBe(12);
    // Every refresh is a new CONNECT; one still in flight when the fleet stops (at most one per device)
    // may be accepted by the mock after its device stopped counting.
    expect(rep.connections.connects).toBeGreaterThanOrEqual(rep.tokens.refreshes);
    expect(rep.connections.connects).toBeLessThanOrEqual(12 + rep.tokens.refreshes);
    expect(rep.mock.connects).toBeGreaterThanOrEqual(rep.connections.connects);
    expect(rep.mock.connects).toBeLessThanOrEqual(rep.connections.connects + 12);
    expect(rep.mock.uplinks).toBe(rep.run.acked);
    expect(rep.mock.refused).toBe(0);
    expect(rep.mock.abnormalCloses).toBe(0);
    expect(rep.run.failed + rep.run.unacked + rep.errors.count).toBe(0);
    expect(rep.memory.simulatorPeakRssMB).toBeGreaterThan(10);
  });

  it('runs the mock in a child process (the default) over MQTTS with its CA, and reports its peak RSS', async () => {
    const r = await simulate(['--devices', '6', '--rate', '30', '--duration', '1', '--tls']);
    expect(r.code).toBe(0);
    const rep = r.report;
    expect(rep.target.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(rep.target.mock).toMatch(/^mock child pid \d+$/);
    expect(rep.ok).toBe(true);
    expect(rep.mock.devicesSeen).toBe(6);
    expect(rep.mock.uplinks).toBe(rep.run.acked);
    expect(rep.run.acked).toBeGreaterThan(20);
    expect(rep.memory.mockPeakRssMB).toBeGreaterThan(10);
    // Each figure is rounded to whole MB on its own.
    expect(Math.abs(rep.memory.totalPeakRssMB - (rep.memory.simulatorPeakRssMB + rep.memory.mockPeakRssMB))).toBeLessThanOrEqual(1);
  });

  it('exits 1 with the report when the broker refuses the fleet (keys it does not know)', async () => {
    const keys = join(dir, 'unknown-keys');
    expect(await main(['simulate', '--prepare-only', '--devices', '3', '--keys-dir', keys], captureIo().io)).toBe(0);
    const cloud = await startMockCloud({ registry: { devices: [] } });
    try {
      const r = await simulate(['--keys-dir', keys, '--url', 'mqtt://127.0.0.1:' + cloud.mqttPort, '--connect-timeout', '1', '--duration', '0']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the run had problems: 3 device\(s\) never connected/);
      expect(r.report.ok).toBe(false);
      expect(r.report.connect.connected).toBe(0);
      expect(r.report.connections.authRejected).toBeGreaterThanOrEqual(3);
      expect(cloud.authLog.filter((e) => e.code === 5).length).toBeGreaterThanOrEqual(3);
      // No key material or token in anything printed.
      expect(r.err + JSON.stringify(r.report)).not.toMatch(/PRIVATE KEY|eyJ/);
    } finally {
      await cloud.close();
    }
  });

  it('refuses bad options with exit 2 before generating anything, and unreadable keys with exit 1', async () => {
    const bad: [string[], RegExp][] = [
      [['--alg', 'HS256'], /--alg must be ES256 or RS256/],
      [['--devices', '0'], /--devices must be a whole number from 1/],
      [['--devices', 'ten'], /--devices must be a whole number/],
      [['--qos', '2'], /--qos must be a whole number from 0 to 1/],
      [['--devices', '4', '--rs256-devices', '5'], /more than --devices/],
      [['--alg', 'RS256', '--rs256-devices', '1'], /with --alg RS256 every device uses RS256/],
      [['--rate=-1'], /--rate must be a number/],
      [['--url', 'http://x'], /--url must look like mqtt:\/\/host:1883/],
      [['--url', 'mqtt://127.0.0.1:1'], /--url needs devices the broker already knows/],
      [['--ca', 'ca.pem'], /--ca FILE goes with an mqtts:\/\/ --url/],
      [['--mock', 'docker'], /--mock must be child .* or inline/],
      [['--prepare-only'], /give --keys-dir DIR and\/or --registry-out FILE/],
      [['--frobnicate'], /Unknown option/],
      [['stray'], /unexpected argument "stray"/],
    ];
    for (const [args, re] of bad) {
      const c = captureIo();
      expect(await main(['simulate', ...args], c.io), args.join(' ')).toBe(2);
      expect(c.err.join('\n'), args.join(' ')).toMatch(re);
    }
    const keys = join(dir, 'bad-keys');
    expect(await main(['simulate', '--prepare-only', '--devices', '1', '--keys-dir', keys], captureIo().io)).toBe(0);
    writeFileSync(join(keys, 'sim-1.key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const c = captureIo();
    expect(await main(['simulate', '--keys-dir', keys, '--mock', 'inline', '--duration', '0'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/sim-1\.key\.pem: not a readable private key/);
  });

  it('stops cleanly on Ctrl-C with the final report', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), 'simulate', '--devices', '5', '--rate', '20', '--duration', '120', '--mock', 'inline', '--progress', 'plain', '--json'], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    const running = new Promise<void>((resolve) =>
      child.stderr.on('data', (b) => {
        err += b;
        if (/^1 s +connected 5\/5/m.test(err)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await running;
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const rep = JSON.parse(out);
    expect(rep.interrupted).toBe(true);
    expect(rep.run.seconds).toBeLessThan(60);
    expect(rep.run.acked).toBeGreaterThan(0);
    expect(rep.mock.uplinks).toBe(rep.run.acked);
    expect(err).toMatch(/stopping \(Ctrl-C again to quit at once\)/);
  });

  it('explains a fleet larger than the file-descriptor limit', () => {
    const lim = openFileLimits();
    if (!lim) return expect(() => checkDescriptors(1e9, true)).not.toThrow(); // no /proc: nothing to check
    expect(() => checkDescriptors(10, true)).not.toThrow();
    let e: unknown;
    try {
      checkDescriptors(lim.soft, true);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(AkenzaError);
    expect((e as Error).message).toMatch(/devices need about \d+ open files .*ulimit -n \d+/);
  });

  it('histogram quantiles match a sorted list', () => {
    const h = new Histogram();
    const xs: number[] = [];
    for (let i = 0; i < 1000; i++) xs.push(((i * 7919) % 1000) / 10); // 0.0 .. 99.9 ms, shuffled
    xs.forEach((x) => h.add(x));
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.max).toBe(99.9);
    expect(new Histogram().summary()).toEqual({ count: 0, p50: null, p99: null, max: null });
  });
});
