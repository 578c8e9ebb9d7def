// examples/espruino-esp32/main.js, unchanged, under the Espruino profile (QuickJS with Espruino's missing
// globals deleted, no function hoisting inside function bodies, its net/tls/http/Wifi/Storage shapes
// bridged to Node, a clock that boots at 1970)
// against the mock cloud: first boot makes and stores the key and is refused until the key is
// registered; the next boot reuses the stored key, connects and publishes, and the mock records it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESPRUINO_FORBIDDEN, STRIP_GLOBALS } from '../../scripts/espruino-profile.mjs';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { unhoist } from '../engines/espruino-unhoist';
import { createHarness, type Harness } from '../engines/quickjs-harness';

const root = join(import.meta.dirname, '..', '..');
const dist = join(root, 'dist', 'espruino');
const mainJs = readFileSync(join(root, 'examples', 'espruino-esp32', 'main.js'), 'utf8');
// What boots: both without function hoisting inside function bodies, as on the board (rewritten once).
const mainRun = unhoist(mainJs, true).code; // boot code: no hoisting either
/** Every Storage module of the build (targets/espruino/modules.json), as the board runs them. */
const moduleNames = Object.keys(JSON.parse(readFileSync(join(root, 'targets', 'espruino', 'modules.json'), 'utf8')));
const moduleRuns = moduleNames.map((name) => unhoist(readFileSync(join(dist, name + '.js'), 'latin1'), true).code);
const deviceId = 'esp32-example';
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
let cloud: MockCloud;
const harnesses: Harness[] = [];

/** Boots the board: Storage holds what the README uploads, plus `extra` files; then main.js runs. */
async function boot(extra: { [name: string]: string }): Promise<Harness> {
  const config = { ssid: 'test-ssid', password: 'test-password', deviceId, mqttUrl: `mqtt://127.0.0.1:${cloud.mqttPort}`, timeUrl: `http://127.0.0.1:${cloud.httpPort}/`, intervalS: 1 };
  const files: { [name: string]: Uint8Array } = {
    'akenza-p256.bin': new Uint8Array(readFileSync(join(dist, 'akenza-p256.bin'))),
    'akenza.json': bytes(JSON.stringify(config)),
  };
  moduleNames.forEach((name, i) => (files[name] = bytes(moduleRuns[i])));
  for (const k of Object.keys(extra)) files[k] = bytes(extra[k]);
  const h = await createHarness({
    memoryLimitBytes: 2 * 1024 * 1024,
    shims: 'globalThis.__bootAt1970 = true;\n' + readFileSync(join(root, 'test', 'engines', 'espruino-shims.js'), 'utf8'),
    stripScript: STRIP_GLOBALS,
    files,
  });
  harnesses.push(h);
  h.script("report({ clockAtBoot: Date.now() });", 'boot-clock.js');
  h.script(mainRun, 'main.js');
  return h;
}

/** Waits (generously) until the board has printed a line matching `re`. */
async function printed(h: Harness, re: RegExp, timeoutMs = 20000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const line = h.printed.find((l) => re.test(l));
    if (line !== undefined) return line;
    if (Date.now() > end) throw new Error(`no printed line matching ${re}; printed:\n${h.printed.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  cloud = await startMockCloud({ registry: { devices: [], connectors: [] } });
});
afterAll(async () => {
  for (const h of harnesses) h.dispose();
  await cloud.close();
});

describe('examples/espruino-esp32/main.js in the Espruino-profile harness', () => {
  let publicKeyPem = '';
  let storedKey = '';

  it('uses none of the APIs Espruino lacks, and no syntax it lacks', () => {
    const code = mainJs.replace(/'(?:[^'\\\n]|\\.)*'/g, "''").replace(/\/\/.*$/gm, ''); // strings, then comments, out
    for (const re of ESPRUINO_FORBIDDEN) expect(code).not.toMatch(re);
    expect(code).not.toMatch(/\b(let|const|async|await|class)\b|=>|\.\.\.|`/); // plain ES5 plus Promise .then
    expect(code).toContain('function startDevice() {'); // the stripping kept the code
  });

  it('first boot: joins WiFi, sets the 1970 clock from the HTTP Date header, makes and stores its key, prints only the public key', async () => {
    const h = await boot({});
    expect(h.reports[0].clockAtBoot).toBeLessThan(60_000); // the board's clock starts at 1970
    const timeLine = await printed(h, /^time: set to /);
    expect(Math.abs(Date.parse(timeLine.slice('time: set to '.length)) - Date.now())).toBeLessThan(5000);
    await printed(h, /^Register this public key for device esp32-example \(kid [0-9a-f]{64}\):$/);
    h.script("var S = require('Storage'); report({ key: S.read('device.key'), pub: S.read('device.pub'), wifi: globalThis.__wifi });", 'read-storage.js');
    const r = h.reports.find((v) => 'key' in v);
    expect(r.wifi).toEqual({ ssid: 'test-ssid', hasPassword: true });
    expect(r.key).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    storedKey = r.key;
    publicKeyPem = r.pub;
    const all = h.printed.join('\n');
    expect(all).toContain(publicKeyPem.trim()); // printed for upload
    expect(all).not.toMatch(/PRIVATE KEY/);
    // The printed kid is the platform's fingerprint: SHA-256 of the SPKI DER.
    const der = Buffer.from(publicKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(all).toContain('(kid ' + createHash('sha256').update(der).digest('hex') + ')');
    // Not registered yet: the mock refuses the (validly signed) token, and the firmware says so.
    await printed(h, /^mqtt: key refused \(5\)/);
    expect(cloud.authLog.some((e) => e.clientId === deviceId && e.code === 5)).toBe(true);
    expect(cloud.uplinks.length).toBe(0);
    h.script('device.stop();', 'stop.js');
  });

  it('after the key is registered, the next boot reuses the stored key, connects and publishes; the mock records the uplink', async () => {
    expect(storedKey).not.toBe('');
    cloud.setRegistry({ devices: [{ deviceId, credentials: [{ publicKey: publicKeyPem }] }], connectors: [] });
    const h = await boot({ 'device.key': storedKey });
    const uplink = await cloud.waitForUplink((u) => u.deviceId === deviceId, 20000);
    expect(uplink.transport).toBe('mqtt');
    expect(uplink.topic).toBe('environment');
    expect(uplink.payload).toEqual({ temperature: expect.any(Number), n: 1 });
    await printed(h, /^sent \{"temperature":[\d.]+,"n":1\}$/);
    // The second reading comes from the interval (intervalS: 1 in akenza.json).
    expect((await cloud.waitForUplink((u) => u.deviceId === deviceId && (u.payload as any).n === 2, 10000)).topic).toBe('environment');
    expect(h.printed.join('\n')).not.toMatch(/first boot|Register this public key/);
    expect(cloud.authLog.filter((e) => e.clientId === deviceId && e.code === 0).length).toBe(1);
    h.script('device.stop();', 'stop.js');
  });
});
