// `npm run screenshots`: regenerates docs/console.png (the mock's web console watching a small fleet:
// refreshes, a refused key, a device on HTTP fallback, a downlink sent from the form) and
// docs/simulate-report.png (the HTML report of `simulate --devices 1000 --duration 30 --lifetime 10`),
// both taken with headless Chromium (scripts/console/chromium.ts). Needs `npm run build` first
// (the package script runs it) for the simulator's child mock.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMockCloud } from '../src/mock/index';
import { createDevice, generateKeyPair, type Device } from '../targets/node/index';
import { launchChromium } from './console/chromium';

const root = join(import.meta.dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = mkdtempSync(join(tmpdir(), 'akenza-screenshots-'));

async function consoleShot(file: string): Promise<void> {
  const ids = Array.from({ length: 12 }, (_, i) => 'sensor-' + String(i + 1).padStart(2, '0'));
  const keys = ids.map(() => generateKeyPair());
  const wrong = generateKeyPair(); // the last device signs with a key the cloud does not know
  const secret = 'screenshot-uplink-secret';
  const cloud = await startMockCloud({
    registry: { devices: ids.map((deviceId, i) => ({ deviceId, credentials: [{ publicKey: keys[i].publicKeyPem }] })), connectors: [{ id: 'lorawan-bridge', uplinkSecret: secret, devices: [ids[2]] }] },
    admin: {},
  });
  const devices: Device[] = ids.map((deviceId, i) =>
    createDevice({
      deviceId,
      credentials: { privateKey: (i === ids.length - 1 ? wrong : keys[i]).privateKeyPem, kid: 'auto' },
      tokenLifetimeS: 8 + i,
      mqtt: { url: 'mqtt://127.0.0.1:' + cloud.mqttPort },
      backoff: { baseMs: 2000, capMs: 4000, authFloorMs: 3000 },
    }),
  );
  for (const d of devices) void d.start();
  const publish = setInterval(() => {
    devices.slice(0, -1).forEach((d, i) => void d.publish({ temperature: Math.round((20 + i + Math.random()) * 10) / 10 }, { topic: 'environment' }).catch(() => undefined));
  }, 700);
  const browser = await launchChromium({ width: 1400, height: 1000 });
  try {
    const page = await browser.context.newPage();
    await page.goto(cloud.consoleUrl + '?token=' + encodeURIComponent(cloud.adminToken as string));
    await sleep(6000);
    // sensor-03 loses MQTT and sends over HTTP with its connector's uplink secret for a while.
    await devices[2].stop();
    for (let i = 0; i < 6; i++) {
      await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=' + ids[2] + '&topic=environment', { method: 'POST', headers: { secret, 'content-type': 'application/json' }, body: JSON.stringify({ temperature: 22.4, via: 'http' }) });
      await sleep(1000);
    }
    void devices[2].start();
    await sleep(8000);
    await page.click('#devices tr[data-device="' + ids[2] + '"]');
    await page.fill('#downlink input[name=payload]', '{"led":"on"}');
    await page.fill('#downlink input[name=topic]', 'commands');
    await page.click('#downlink button[type=submit]');
    await sleep(2500);
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    clearInterval(publish);
    await browser.close();
    await Promise.all(devices.map((d) => d.stop()));
    await cloud.close();
  }
}

async function reportShot(file: string): Promise<void> {
  const html = join(tmp, 'report.html');
  execFileSync(process.execPath, [join(root, 'dist/node/cli.js'), 'simulate', '--devices', '1000', '--rate', '1000', '--duration', '30', '--lifetime', '10', '--report-html', html, '--progress', 'none'], { stdio: ['ignore', 'inherit', 'inherit'] });
  console.log('report: ' + html + ', ' + statSync(html).size + ' bytes');
  const browser = await launchChromium({ width: 1500, height: 900 });
  try {
    const page = await browser.context.newPage();
    await page.goto('file://' + html);
    await page.screenshot({ path: file, fullPage: true });
  } finally {
    await browser.close();
  }
}

try {
  const only = process.argv[2];
  if (!only || only === 'console') await consoleShot(join(root, 'docs/console.png'));
  if (!only || only === 'report') await reportShot(join(root, 'docs/simulate-report.png'));
  console.log('written: docs/console.png, docs/simulate-report.png');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
