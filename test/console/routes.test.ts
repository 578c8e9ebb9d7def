// The console's routes and their auth: nothing without the admin token (bearer) or the cookie that
// `?token=` sets, a wrong or forged one refused without echoing it, the cookie good for the console
// only (the admin API keeps asking for the bearer token), downlinks refused cross-origin or oversized
// or malformed, every refusal in the feed, and `console: false` serving no page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { generateKeyPair } from '../../targets/node/index';

const key = generateKeyPair();
const registry = { devices: [{ deviceId: 'dev-a', credentials: [{ publicKey: key.publicKeyPem }] }], connectors: [] };

describe('the console routes', () => {
  let cloud: MockCloud;
  let base: string;
  let cookie = '';
  const lines: string[] = [];
  beforeAll(async () => {
    cloud = await startMockCloud({ registry, admin: {}, bodyLimit: 1024, log: (l) => lines.push(l) });
    base = cloud.consoleUrl as string;
  });
  afterAll(() => cloud.close());
  const bearer = () => ({ authorization: 'Bearer ' + cloud.adminToken });

  it('is on the admin port, on 127.0.0.1 by default', () => {
    expect(base).toBe('http://127.0.0.1:' + cloud.adminPort + '/');
  });

  it('refuses the page, its script and its stream without the token', async () => {
    for (const path of ['', 'console.js', 'console/events', 'console/state', 'console/timeline?deviceId=dev-a']) {
      const r = await fetch(base + path);
      expect(r.status, path).toBe(401);
      await r.text();
    }
  });

  it('refuses a wrong ?token= without echoing it, and sets no cookie', async () => {
    const wrong = 'wrong-token-' + 'q'.repeat(30);
    const r = await fetch(base + '?token=' + wrong, { redirect: 'manual' });
    expect(r.status).toBe(401);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await r.text()).not.toContain(wrong);
  });

  it('takes the right ?token= once: an HttpOnly SameSite=Strict cookie (not the token) and a redirect without it', async () => {
    const r = await fetch(base + '?token=' + encodeURIComponent(cloud.adminToken as string) + '&x=1', { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/?x=1');
    const set = r.headers.get('set-cookie') as string;
    expect(set).toMatch(/^akenza_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(set).not.toContain(cloud.adminToken);
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    cookie = set.split(';')[0];
    const page = await fetch(base, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('data-device="dev-a"');
    expect(html).not.toContain(cloud.adminToken);
  });

  it('refuses a forged cookie, and the cookie does not open the admin API', async () => {
    expect((await fetch(base, { headers: { cookie: 'akenza_console=' + 'A'.repeat(43) } })).status).toBe(401);
    expect((await fetch(base + 'admin/devices', { headers: { cookie } })).status).toBe(401);
    expect((await fetch(base + 'admin/devices', { headers: bearer() })).status).toBe(200);
  });

  it('sends a downlink from JSON or a plain form, and refuses cross-origin, oversized and malformed ones', async () => {
    const post = (body: string, headers: { [k: string]: string }) => fetch(base + 'console/downlink', { method: 'POST', body, headers: { cookie, ...headers }, redirect: 'manual' });
    const json = { 'content-type': 'application/json' };
    const ok = await post('{"deviceId":"dev-a","payload":"hi"}', json);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ delivered: 0 });
    const form = await post('deviceId=dev-a&payload=x&qos=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(303);
    expect((await post('{"deviceId":"dev-a"}', { ...json, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post('{"deviceId":"dev-a","payload":"' + 'x'.repeat(2000) + '"}', json)).status).toBe(413);
    expect((await post('{not json', json)).status).toBe(400);
    expect((await post('{"deviceId":"dev-a","topic":"a/#"}', json)).status).toBe(400);
    expect((await fetch(base + 'console/downlink', { headers: { cookie } })).status).toBe(405);
    expect((await fetch(base + 'console/events', { method: 'HEAD', headers: { cookie } })).status).toBe(405);
    const state = (await (await fetch(base + 'console/state', { headers: bearer() })).json()) as { feed: { kind: string; text: string }[] };
    const refused = state.feed.filter((e) => e.kind === 'refused').map((e) => e.text);
    expect(refused).toEqual(expect.arrayContaining([expect.stringMatching(/^403 POST \/console\/downlink: cross-origin/), expect.stringMatching(/^413 /), expect.stringMatching(/^401 GET \/: wrong admin token/)]));
    expect(state.feed.filter((e) => e.kind === 'downlink')).toHaveLength(2);
    expect(lines.some((l) => /console: refused POST \/console\/downlink .*\(403\)/.test(l))).toBe(true);
  });

  it('shows refused HTTP captures (a 413, a 400) in the feed; refused secrets come as auth verdicts, not twice', async () => {
    const capture = (q: string, body: string, secret = 'nope') => fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture' + q, { method: 'POST', headers: { secret, 'content-type': 'application/json' }, body });
    expect((await capture('?deviceId=dev-a', 'x'.repeat(2000))).status).toBe(413);
    expect((await capture('', '{}')).status).toBe(400);
    expect((await capture('?deviceId=dev-a', '{}')).status).toBe(401);
    const state = (await (await fetch(base + 'console/state', { headers: bearer() })).json()) as { feed: { kind: string; device: string; transport: string; text: string }[] };
    const http = state.feed.filter((e) => e.transport === 'http');
    expect(http.filter((e) => e.kind === 'refused').map((e) => [e.device, e.text.split(':')[0]])).toEqual([['dev-a', '413'], ['', '400 POST /v3/capture']]);
    expect(http.filter((e) => e.kind === 'auth').map((e) => e.text)).toEqual([expect.stringMatching(/^REFUSED: HTTP 401: /)]);
  });

  it('answers a device timeline, and refuses one without deviceId', async () => {
    const r = await fetch(base + 'console/timeline?deviceId=dev-a', { headers: bearer() });
    // The refused secret of the test before is its one mark.
    expect(await r.json()).toMatchObject({ deviceId: 'dev-a', marks: [{ k: 'refused', note: expect.stringMatching(/uplink secret/) }] });
    expect((await fetch(base + 'console/timeline', { headers: bearer() })).status).toBe(400);
  });

  it('serves no page with console: false (the admin API stays)', async () => {
    const off = await startMockCloud({ registry, admin: { console: false } });
    try {
      expect(off.consoleUrl).toBeUndefined();
      const r = await fetch('http://127.0.0.1:' + off.adminPort + '/', { headers: { authorization: 'Bearer ' + off.adminToken } });
      expect(r.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
