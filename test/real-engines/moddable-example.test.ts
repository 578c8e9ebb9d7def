// examples/moddable-esp32 in the real Moddable SDK (XS, lin): its manifest.json (with Preference kept
// in a folder of the test's: config.file.root) and main.js unchanged; only the board parts replaced:
// hwrandom (the ESP32 RNG, native) by a seeded JS generator, and WiFi/SNTP, which manifest_net does
// not start on lin. ca.js holds the mock cloud's CA. It boots twice against the mock cloud over MQTTS:
// the first boot makes the key and keeps it in Preference, the second reuses it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { keyPairPems } from '../../src/keys';
import { generateKeyPair } from '../../src/sign/p256/keys';
import { realEngines, skipWithout } from './kit';
import { appFolder, killAll, removeApp, runApp, type AppRun } from './moddable/run';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'moddable-esp32');
const DEVICE = 'esp32-example';

/** The key the first boot makes from hwrandom-lin.js with this seed (the same generator, in Node). */
function expectedKey(seed: number) {
  let state = seed;
  const rng = (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = ((state = (state * 1103515245 + 12345) & 0x7fffffff) >> 16) & 255;
    return b;
  };
  const kp = generateKeyPair(rng);
  return keyPairPems(kp.privateKey, kp.publicKey);
}

afterAll(() => killAll());

describe.skipIf(skipWithout('moddable'))('examples/moddable-esp32 in the real Moddable SDK (lin)', () => {
  let cloud: MockCloud;
  let dir = '';
  const prefs = () => join(dir, '..', 'prefs');
  const key = expectedKey(7);

  beforeAll(async () => {
    cloud = await startMockCloud({ registry: { devices: [{ deviceId: DEVICE, credentials: [{ publicKey: key.publicKeyPem }] }], connectors: [] } });
    const manifest = JSON.parse(readFileSync(join(example, 'manifest.json'), 'utf8'));
    dir = appFolder('akenza-xs-example', {
      'main.js': readFileSync(join(example, 'main.js'), 'utf8'),
      'hwrandom.js': readFileSync(join(import.meta.dirname, '..', 'examples', 'moddable', 'hwrandom-lin.js'), 'utf8'),
      'ca.js': 'export default ' + JSON.stringify(cloud.caPem) + ';\n',
    });
    // the example's manifest, with Preference kept in a folder of this test's (lin default: /tmp, shared)
    manifest.config.file = { root: prefs() + '/' };
    mkdirSync(prefs());
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }, 120_000);
  afterAll(async () => {
    if (cloud) await cloud.close();
    if (dir) removeApp(dir);
  });

  /** One boot: runs until the cloud records a reading from it (then ends the app), or 90 s. */
  async function boot(seed: number): Promise<{ run: AppRun; uplinks: number }> {
    const before = cloud.uplinks.filter((u) => u.deviceId === DEVICE).length;
    const app = runApp(realEngines()!, dir, {
      timeoutS: 90,
      args: [`deviceId=${DEVICE}`, `mqttUrl=mqtts://127.0.0.1:${cloud.mqttsPort}`, 'intervalS=1', `seed=${seed}`],
      onLine: (line) => process.env.MODDABLE_TRACE && console.log('example: ' + line),
    });
    let count = 0;
    let onUplink: (u: { deviceId?: string }) => void = () => undefined;
    const seen = new Promise<boolean>((resolve) => {
      onUplink = (u) => {
        if (u.deviceId === DEVICE && ++count === 2) resolve(true);
      };
      cloud.on('uplink', onUplink);
    });
    const ended = app.then(() => false);
    await Promise.race([seen, ended]);
    app.stop();
    cloud.off('uplink', onUplink);
    const run = await app;
    return { run, uplinks: cloud.uplinks.filter((u) => u.deviceId === DEVICE).length - before };
  }

  let first: { run: AppRun; uplinks: number };

  it('first boot: makes the key from hwrandom, keeps it in Preference, traces the public key, connects over MQTTS and publishes readings', async () => {
    first = await boot(7);
    const text = first.run.lines.join('\n');
    expect(text, first.run.stderr.slice(-1500)).toContain('first boot: making an ES256 key pair');
    expect(text).toContain(`Register this public key for device ${DEVICE} (kid ${key.fingerprint}):\n${key.publicKeyPem.trim()}`);
    expect(text).not.toMatch(/PRIVATE KEY|abort|XS abort/);
    expect(text).toContain('mqtt: connected');
    expect(text).toMatch(/^sent \{"temperature":[\d.]+,"n":1\}$/m);
    expect(first.uplinks).toBeGreaterThanOrEqual(2);
    const u = cloud.uplinks.find((x) => x.deviceId === DEVICE);
    expect(u).toMatchObject({ transport: 'mqtts', topic: 'environment', payload: { n: 1 } });
    // the key sits in the Preference file of this app's folder: the secret scalar only
    const stored = readFileSync(join(prefs(), 'modpreferences.json'), 'utf8');
    expect(stored).toContain('akenza');
    expect(stored).not.toContain('BEGIN');
    expect(cloud.authLog.filter((e) => e.clientId === DEVICE && e.code !== 0)).toEqual([]);
  }, 200_000);

  it('restart: the key comes from Preference (no new key, a different hwrandom seed changes nothing), connects and publishes', async () => {
    expect(first).toBeDefined();
    expect(existsSync(join(prefs(), 'modpreferences.json'))).toBe(true);
    const second = await boot(99); // with this seed a new key would differ, and the mock would refuse it
    const text = second.run.lines.join('\n');
    expect(text, second.run.stderr.slice(-1500)).not.toMatch(/first boot|Register this public key/);
    expect(text).toContain('mqtt: connected');
    expect(second.uplinks).toBeGreaterThanOrEqual(2);
    const accepted = cloud.authLog.filter((e) => e.clientId === DEVICE && e.code === 0);
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    expect(cloud.authLog.filter((e) => e.clientId === DEVICE && e.code !== 0)).toEqual([]);
  }, 200_000);
});
