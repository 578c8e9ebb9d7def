// The console in a real browser (headless Chromium via playwright-core) against a running mock with a
// device connected from the SDK: the device shows as connected, an uplink appears within a second of
// publish(), a refused token shows its reason in inspect's words, a refresh appears on the timeline, a
// downlink sent from the form reaches the device, and neither the page nor anything it received (every
// response body and header, the event stream's messages) holds a token, key or secret.
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { createDevice, generateKeyPair, type Device } from '../../targets/node/index';
import { launchChromium, type Browser } from '../../scripts/console/chromium';
import { connectRaw, mint, nowS } from '../mock/helpers';
import { skipWithoutChromium } from './browser-kit';

const DEVICE = 'console-dev-1';
const OTHER = 'console-dev-2';
const SECRET = 'uplink-secret-' + Math.random().toString(36).slice(2);
/** More registered devices than the page draws rows (200), all sharing one key. */
const EXTRA = 250;

/** A TCP relay in front of the mock's MQTT port that keeps every CONNECT password (the device's real tokens). */
function passwordTap(port: number, passwords: string[]): Promise<Server> {
  const server = createNetServer((client: Socket) => {
    const up = netConnect({ host: '127.0.0.1', port });
    const parser = mqttPacket.parser();
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connect' && p.password) passwords.push(Buffer.from(p.password).toString('utf8'));
    });
    client.on('data', (b: Buffer) => {
      parser.parse(b);
      up.write(b);
    });
    up.on('data', (b: Buffer) => client.write(b));
    const end = () => (client.destroy(), up.destroy());
    client.on('close', end).on('error', end);
    up.on('close', end).on('error', end);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

describe.skipIf(skipWithoutChromium())('the mock console in Chromium', () => {
  const keys = generateKeyPair();
  const other = generateKeyPair();
  const passwords: string[] = [];
  const responses: { url: string; status: number; headers: string; body: string }[] = [];
  const sse: string[] = [];
  let cloud: MockCloud;
  let tap: Server;
  let device: Device;
  let browser: Browser;
  let page: Page;
  const downlinks: string[] = [];
  let refusedToken = '';

  beforeAll(async () => {
    cloud = await startMockCloud({
      registry: {
        devices: [
          { deviceId: DEVICE, credentials: [{ publicKey: keys.publicKeyPem }] },
          { deviceId: OTHER, credentials: [{ publicKey: other.publicKeyPem }] },
          ...Array.from({ length: EXTRA }, (_, i) => ({ deviceId: 'extra-' + String(i).padStart(3, '0'), credentials: [{ publicKey: other.publicKeyPem }] })),
        ],
        connectors: [{ id: 'conn-1', uplinkSecret: SECRET, devices: [DEVICE] }],
      },
      admin: {},
    });
    tap = await passwordTap(cloud.mqttPort, passwords);
    device = createDevice({
      deviceId: DEVICE,
      credentials: { privateKey: keys.privateKeyPem, kid: 'auto' },
      tokenLifetimeS: 600,
      mqtt: { url: 'mqtt://127.0.0.1:' + (tap.address() as { port: number }).port },
      onDownlink: (d) => downlinks.push(d.text || ''),
    });
    await device.start();
    browser = await launchChromium();
    page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    // The event stream's messages as the network layer saw them (a stream's body never completes).
    cdp.on('Network.eventSourceMessageReceived', (e: { data: string }) => sse.push(e.data));
    page.on('response', (r: Response) => {
      const entry = { url: r.url(), status: r.status(), headers: JSON.stringify(r.headers()), body: '' };
      responses.push(entry);
      if (!/\/console\/events/.test(r.url()) && r.status() !== 303) void r.text().then((t) => (entry.body = t), () => undefined);
    });
    await page.goto(cloud.consoleUrl + '?token=' + encodeURIComponent(cloud.adminToken as string));
    await page.waitForSelector('body[data-live=on]', { timeout: 10000 });
  });

  afterAll(async () => {
    if (browser) await browser.close();
    if (device) await device.stop();
    if (tap) tap.close();
    if (cloud) await cloud.close();
  });

  it('signs in with ?token= once: the cookie is HttpOnly and SameSite=Strict, and the address bar loses the token', async () => {
    expect(page.url()).toBe(cloud.consoleUrl);
    const cookies = await browser.context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'akenza_console', httpOnly: true, sameSite: 'Strict' });
    expect(cookies[0].value).not.toContain(cloud.adminToken);
  });

  it('shows the device as connected, with its transport and token kid', async () => {
    const row = page.locator('#devices tr[data-device="' + DEVICE + '"]');
    await expect.poll(() => row.locator('.state').textContent(), { timeout: 5000 }).toBe('connected');
    expect(await row.textContent()).toContain('mqtt');
    expect(await page.locator('#devices tr[data-device="' + OTHER + '"] .state').textContent()).toBe('offline');
  });

  it('shows an uplink within a second of publish()', async () => {
    const marker = 'temp-' + Date.now();
    // Runs in the page (this project's types have no DOM, hence the casts).
    const inFeed = (m: string): boolean => ((globalThis as unknown as { document: { querySelector(s: string): { textContent: string } } }).document.querySelector('#feed tbody').textContent.includes(m));
    const seen = page.waitForFunction(inFeed, marker, { timeout: 1000, polling: 20 });
    const published = device.publish(JSON.stringify({ marker }));
    await seen;
    await published;
    const row = page.locator('#feed tr[data-kind=uplink]', { hasText: marker });
    expect(await row.textContent()).toContain(DEVICE);
  });

  it('shows a refused token with its reason, in the words of inspect', async () => {
    refusedToken = mint({ key: other.privateKeyPem, claims: { aud: cloud.audienceBase + '/devices/' + OTHER, iat: nowS() - 7200, exp: nowS() - 3600 } });
    const { code, client } = await connectRaw(cloud.mqttPort, { clientId: OTHER, password: refusedToken });
    client.end();
    expect(code).not.toBe(0);
    const entry = cloud.authLog.filter((e) => e.code !== 0 && e.clientId === OTHER).pop()!;
    const row = page.locator('#feed tr[data-kind=auth]', { hasText: entry.reason });
    await row.waitFor({ timeout: 5000 });
    expect(await row.textContent()).toContain('REFUSED: CONNACK ' + code + (code === 5 ? ' (not authorized)' : ' (bad username or password: malformed token)') + ': ' + entry.reason);
    expect(await row.getAttribute('class')).toBe('bad');
  });

  it('draws a refresh on the device timeline', async () => {
    await page.click('#devices tr[data-device="' + DEVICE + '"]');
    const refreshed = new Promise<void>((r) => device.on('connected', () => r()));
    device.refresh();
    await refreshed;
    await page.waitForSelector('#timeline svg [data-mark=refresh]', { timeout: 5000 });
    expect(await page.locator('#timeline-device').textContent()).toBe(DEVICE);
    expect(await page.locator('#timeline svg [data-mark=session]').count()).toBeGreaterThan(0);
    await page.locator('#feed tr[data-kind=refresh]', { hasText: DEVICE }).waitFor({ timeout: 5000 });
  });

  it('filters the feed by kind and device, and pauses it', async () => {
    await page.uncheck('input[name=kind][value=uplink]');
    await expect.poll(() => page.locator('#feed tr[data-kind=uplink]').count(), { timeout: 2000 }).toBe(0);
    await page.check('input[name=kind][value=uplink]');
    await page.fill('#feed-device', OTHER);
    await expect.poll(() => page.locator('#feed tr[data-kind=uplink]').count(), { timeout: 2000 }).toBe(0);
    expect(await page.locator('#feed tr[data-kind=auth]').count()).toBeGreaterThan(0);
    await page.fill('#feed-device', '');
    await page.click('#pause');
    const before = await page.locator('#feed tbody tr').first().getAttribute('data-seq');
    await device.publish('{"while":"paused"}');
    await expect.poll(() => page.locator('#feed-note').textContent(), { timeout: 3000 }).toMatch(/paused, [1-9]\d* new event/);
    expect(await page.locator('#feed tbody tr').first().getAttribute('data-seq')).toBe(before);
    await page.click('#pause');
    await page.locator('#feed tr[data-kind=uplink]', { hasText: 'paused' }).waitFor({ timeout: 3000 });
  });

  it('sends a downlink from the form, and the device gets it', async () => {
    const text = '{"led":"blue-' + Date.now() + '"}';
    await page.fill('#downlink input[name=deviceId]', DEVICE);
    await page.fill('#downlink input[name=payload]', text);
    await page.click('#downlink button[type=submit]');
    await expect.poll(() => page.locator('#downlink-result').textContent(), { timeout: 5000 }).toBe('delivered to 1 session(s)');
    await expect.poll(() => downlinks, { timeout: 5000 }).toContain(text);
    await page.locator('#feed tr[data-kind=downlink]', { hasText: 'blue' }).waitFor({ timeout: 3000 });
  });

  it('shows hostile payloads and client ids as text, live and in the snapshot', async () => {
    const hostile = '<img src=x onerror="document.title=1">';
    await device.publish(hostile);
    const { client } = await connectRaw(cloud.mqttPort, { clientId: '<b id=bold>' + hostile, password: 'not-a-token' });
    client.end();
    await page.locator('#feed tr[data-kind=auth]', { hasText: '<b id=bold>' }).waitFor({ timeout: 5000 });
    await page.locator('#feed tr[data-kind=uplink]', { hasText: hostile }).waitFor({ timeout: 5000 });
    const bare = await browser.context.newPage();
    await bare.route('**/console.js', (r) => r.abort());
    await bare.goto(cloud.consoleUrl as string);
    for (const p of [page, bare]) {
      expect(await p.locator('#feed img, #feed b').count()).toBe(0);
      expect(await p.locator('#feed tr', { hasText: hostile }).count()).toBeGreaterThan(0);
      expect(await p.title()).toBe('akenza-device mock console');
    }
    await bare.close();
  });

  it('draws at most 200 rows a table however many devices and events there are, and counts what a batch left out', async () => {
    // 1,200 events in one go: more than a batch (200) and than the feed keeps (1,000).
    for (let i = 0; i < 1200; i++) cloud.sendDownlink(OTHER, 'burst-' + i);
    await page.locator('#feed tr[data-kind=downlink]', { hasText: 'burst-1199' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#feed tbody tr').count()).toBe(200);
    expect(await page.locator('#devices tbody tr').count()).toBe(200);
    expect(await page.locator('#devices-more').textContent()).toBe('showing 200 of ' + (EXTRA + 2));
    expect(await page.locator('#feed-note').textContent()).toMatch(/^\d+ event\(s\) not sent to the page/);
    await page.fill('#device-filter', 'extra-24');
    await expect.poll(() => page.locator('#devices tbody tr').count(), { timeout: 2000 }).toBe(10);
    await page.fill('#device-filter', '');
  });

  it('without its script, the page is a static snapshot of the devices and the feed', async () => {
    const bare = await browser.context.newPage();
    await bare.route('**/console.js', (r) => r.abort());
    await bare.goto(cloud.consoleUrl as string);
    expect(await bare.locator('#devices tr[data-device="' + DEVICE + '"] .state').textContent()).toBe('connected');
    // The newest 200 events, newest first (the burst of the test before).
    expect(await bare.locator('#feed tbody tr').count()).toBe(200);
    expect(await bare.locator('#feed tbody tr').first().textContent()).toContain('burst-1199');
    expect(await bare.locator('#status').textContent()).toMatch(/^snapshot of /);
    await bare.close();
  });

  it('shows an HTTP uplink made with the uplink secret, and neither the page nor its traffic holds a token, key or secret', async () => {
    const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?deviceId=' + DEVICE + '&topic=fallback', { method: 'POST', headers: { secret: SECRET, 'content-type': 'application/json' }, body: '{"via":"http"}' });
    expect(r.status).toBe(200);
    await page.locator('#feed tr[data-kind=uplink]', { hasText: 'fallback' }).waitFor({ timeout: 5000 });
    // A reload: the server-rendered snapshot is searched too.
    await page.reload();
    await page.waitForSelector('body[data-live=on]', { timeout: 10000 });
    await page.waitForTimeout(600); // a batch or two more on the stream
    const html = await page.content();
    expect(html).toContain(DEVICE);
    expect(passwords.length).toBeGreaterThanOrEqual(2); // the first token and the refreshed one
    const pemBody = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const secrets: [string, string][] = [
      ['admin token', cloud.adminToken as string],
      ['uplink secret', SECRET],
      ['refused token', refusedToken],
      ['device private key', pemBody(keys.privateKeyPem)],
      ['other private key', pemBody(other.privateKeyPem)],
      ...passwords.map((p, i): [string, string] => ['device token ' + i, p]),
      // A token's signature alone would do as much harm as the whole token.
      ...passwords.map((p, i): [string, string] => ['device token signature ' + i, p.split('.')[2]]),
    ];
    expect(sse.length).toBeGreaterThan(2);
    const bodies = responses.filter((x) => x.body);
    expect(bodies.some((x) => x.url.endsWith('/console.js'))).toBe(true);
    const haystacks: [string, string][] = [['page HTML', html], ['event stream', sse.join('\n')], ...responses.map((x): [string, string] => [x.url.replace(/\?token=.*/, '?token=...') + ' (' + x.status + ')', x.headers + '\n' + x.body])];
    for (const [what, text] of haystacks) for (const [name, value] of secrets) expect(text.includes(value), name + ' found in ' + what).toBe(false);
  });
});
