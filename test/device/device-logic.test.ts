// The Device's decisions in virtual time against a scripted broker: token contents and refresh,
// backoff schedule, CONNACK 4/5 handling, clock trust, outbox bounds, resend, keepalive.
import { describe, expect, it } from 'vitest';
import { createDevice, type DeviceOptions } from '../../src/device/device';
import { decodeJwt, fixture, nodeVerifyJwt } from '../helpers';
import { createScriptedPlatform, intercept, recordingBroker } from './scripted-platform';
import type { SocketOptions } from '../../src/platform';
import { ecPrivateKeyPkcs8, parsePrivateKey } from '../../src/keys/index';
import { sha256 } from '../../src/hash/sha256';
import { p256Binding } from '../../src/sign/p256-binding';
import { combTable, getPublicKey } from '../../src/sign/p256/index';

const START = Date.UTC(2027, 0, 1);

function setup(extra: Partial<DeviceOptions> = {}, rand: number | null = 0.5) {
  const { broker, state } = recordingBroker();
  const sp = createScriptedPlatform(broker, START);
  if (rand !== null) sp.setRandom(() => rand);
  const events: { name: string; arg: any; at: number }[] = [];
  const on = (name: string) => (arg: any) => events.push({ name, arg, at: sp.elapsed() });
  const device = createDevice(sp.platform, {
    deviceId: 'dev-1',
    credentials: { privateKey: fixture('ec.pkcs8.pem'), kid: 'auto' },
    mqtt: { url: 'mqtt://broker.test:1883' },
    onConnected: on('connected'), onDisconnected: on('disconnected'), onTokenRefreshed: on('tokenRefreshed'),
    onAuthRejected: on('authRejected'), onClockState: on('clockState'), onDropped: on('dropped'), onDownlink: on('downlink'), onError: on('error'),
    ...extra,
  });
  return { sp, state, device, events, named: (n: string) => events.filter((e) => e.name === n) };
}

describe('device logic (virtual time, scripted broker)', () => {
  it('connects with clientId = deviceId and a verifiable token as password', async () => {
    const { sp, state, device } = setup();
    device.start();
    await sp.advance(10);
    expect(state.connects.length).toBe(1);
    const conn = state.conns[0].options;
    expect(conn.host).toBe('broker.test');
    expect(conn.port).toBe(1883);
    const d = nodeVerifyJwt(state.connects[0].password!, fixture('ec.pub.pem'));
    expect(d.claims).toEqual({ aud: 'https://akenza.io/devices/dev-1', iat: START / 1000 - 60, exp: START / 1000 + 3600 });
    await device.stop();
  });

  it('publishes QoS 1 (resolved on PUBACK) and QoS 0 to the uplink topic and sub-topics; dispatches downlinks', async () => {
    const { sp, state, device, named } = setup();
    device.start();
    await sp.advance(10);
    const p1 = device.publish({ t: 1 }, { topic: 'env/temp' });
    const p0 = device.publish('plain', { qos: 0 });
    await sp.advance(10);
    await Promise.all([p1, p0]);
    expect(state.published.map((p) => [p.topic, p.payload])).toEqual([['/up/device/id/dev-1/env/temp', '{"t":1}'], ['/up/device/id/dev-1', 'plain']]);
    state.conns[0].send({ cmd: 'publish', topic: '/down/device/id/dev-1/cmd', payload: new Uint8Array([0x6f, 0x6e]), qos: 1, retain: false, dup: false, messageId: 7 });
    await sp.advance(10);
    expect(named('downlink').map((e) => [e.arg.subTopic, e.arg.text])).toEqual([['cmd', 'on']]);
    await expect(device.publish('x', { qos: 2 as any })).rejects.toThrow(/QoS 2/);
    await expect(device.publish('x', { topic: '#' })).rejects.toThrow(/wildcards/);
    await device.stop();
  });

  it('refreshes at 10% of lifetime left minus jitter, with a token minted ahead of time', async () => {
    const { sp, state, device, named } = setup({ tokenLifetimeS: 3600 });
    device.start();
    await sp.advance(10);
    // rand 0.5: refresh at exp - 360 s - 0.5 * 360 s = 3060 s after mint; next token minted 30 s earlier.
    await sp.advance(3060_000 - 20);
    expect(state.connects.length).toBe(1);
    await sp.advance(100);
    expect(state.connects.length).toBe(2);
    expect(named('tokenRefreshed').length).toBe(1);
    const first = decodeJwt(state.connects[0].password!).claims;
    const second = decodeJwt(state.connects[1].password!).claims;
    expect(second.iat - first.iat).toBe(3030);
    nodeVerifyJwt(state.connects[1].password!, fixture('ec.pub.pem'));
    // The disconnect and the new CONNECT happen at the same virtual instant: the gap is one reconnect.
    const disc = named('disconnected')[0];
    expect(disc.arg.planned).toBe(true);
    expect(named('connected')[1].at - disc.at).toBeLessThanOrEqual(1);
    await device.stop();
  });

  it('a refresh waits for outstanding PUBACKs (bounded by drainTimeoutMs) and resends unacked messages with DUP', async () => {
    const { sp, state, device } = setup({ refresh: { drainTimeoutMs: 2000 } });
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    const pubs = [device.publish('a'), device.publish('b')];
    await sp.advance(10);
    device.refresh();
    await sp.advance(1000);
    expect(state.connects.length).toBe(1); // still draining
    state.withholdPuback = false;
    await sp.advance(1100);
    expect(state.connects.length).toBe(2);
    await sp.advance(10);
    await Promise.all(pubs);
    const resent = state.published.slice(2);
    expect(resent.map((p) => [p.payload, p.dup])).toEqual([['a', true], ['b', true]]);
    expect(resent.map((p) => p.messageId)).toEqual(state.published.slice(0, 2).map((p) => p.messageId));
    await device.stop();
  });

  it('backs off with full jitter: 1 s base doubling to the 120 s cap', async () => {
    const { sp, device } = setup({}, 0.5);
    const refuse = { n: 1e9 };
    // Refuse TCP connections by closing them at once.
    const orig = sp.platform.connect;
    sp.platform.connect = (o) => orig(intercept(o, { onConnect: () => (refuse.n-- > 0 ? o.onError(new Error('ECONNREFUSED')) : o.onConnect()) }));
    device.start();
    await sp.advance(600_000);
    const gaps = sp.connects.slice(1).map((t, i) => t - sp.connects[i]);
    // rand = 0.5 of min(cap, base * 2^n)
    expect(gaps.slice(0, 9)).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(Math.max(...gaps)).toBe(60000);
    await device.stop();
  });

  it('CONNACK 5: one fresh token at once, then never faster than 60 s', async () => {
    const { sp, state, device, named } = setup({}, 0.5);
    state.refuseNext = new Array(1000).fill(5);
    device.start();
    await sp.advance(3600_000);
    const at = sp.connects;
    expect(at[1] - at[0]).toBe(500); // first refusal: normal backoff with a fresh token
    expect(state.connects[1].password).not.toBe(state.connects[0].password);
    for (let i = 2; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(60000);
    expect(at.length).toBeLessThanOrEqual(62); // an hour of refusals: about one try a minute, never a tight loop
    expect(named('authRejected').length).toBe(at.length);
    expect(named('authRejected')[0].arg.returnCode).toBe(5);
    state.refuseNext = [];
    await sp.advance(120_000);
    expect(named('connected').length).toBe(1);
    await device.stop();
  });

  it('an untrusted clock (1970) blocks signing; a later step to real time mints and connects', async () => {
    const { sp, state, device, named } = setup({ clock: { checkIntervalMs: 1000 } });
    sp.setWall(5000); // 1970-01-01T00:00:05Z
    device.start();
    await sp.advance(30_000);
    expect(state.connects.length).toBe(0);
    expect(named('clockState')[0].arg.trusted).toBe(false);
    sp.setWall(START);
    await sp.advance(3000);
    expect(named('clockState').at(-1)!.arg).toMatchObject({ trusted: true, stepped: true });
    expect(state.connects.length).toBe(1);
    expect(decodeJwt(state.connects[0].password!).claims.iat).toBeGreaterThan(START / 1000 - 120);
    await device.stop();
  });

  it('a clock step while connected re-mints and reconnects', async () => {
    const { sp, state, device } = setup({ clock: { checkIntervalMs: 1000 } });
    device.start();
    await sp.advance(10);
    sp.stepWall(3600_000);
    await sp.advance(2000);
    expect(state.connects.length).toBe(2);
    expect(decodeJwt(state.connects[1].password!).claims.iat - decodeJwt(state.connects[0].password!).claims.iat).toBeGreaterThanOrEqual(3600);
    await device.stop();
  });

  it('the outbox drops the oldest beyond its bound, counts and reports it, and delivers the rest in order', async () => {
    const { sp, state, device, named } = setup({ outbox: { maxMessages: 5 } });
    const results = Array.from({ length: 8 }, (_, i) => device.publish('m' + i).then(() => 'ok', (e) => e.code));
    device.start();
    await sp.advance(50);
    expect(await Promise.all(results)).toEqual(['MESSAGE_DROPPED', 'MESSAGE_DROPPED', 'MESSAGE_DROPPED', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect(state.published.map((p) => p.payload)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect(named('dropped').map((e) => e.arg.total)).toEqual([1, 2, 3]);
    expect(device.stats().dropped).toBe(3);
    await device.stop();
  });

  it('declares the link dead without PINGRESP within half the keepalive, and reconnects', async () => {
    const { sp, state, device, named } = setup({ mqtt: { url: 'mqtt://broker.test', keepaliveS: 60 } });
    device.start();
    await sp.advance(10);
    // Silence the broker's PINGRESP from now on.
    const conn = state.conns[0];
    conn.send = () => {};
    await sp.advance(60_000 + 30_000 + 10);
    expect(named('disconnected')[0].arg.reason).toBe('keepalive-timeout');
    await sp.advance(2000);
    expect(state.connects.length).toBe(2);
    await device.stop();
  });

  it('gives up on a CONNECT without CONNACK after 10 s', async () => {
    const { sp, state, device, named } = setup();
    sp.platform.connect = ((orig) => (o: SocketOptions) => orig(intercept(o, { onData: () => {} })))(sp.platform.connect);
    device.start();
    await sp.advance(10_001);
    expect(named('disconnected')[0].arg.reason).toBe('connack-timeout');
    await device.stop();
  });

  // Regressions found in review: each failed before its fix.
  it('a clock step while connecting: the device still subscribes, emits connected, and refreshes', async () => {
    const { sp, state, device, named } = setup({ clock: { checkIntervalMs: 1000 } });
    const orig = sp.platform.connect;
    let first = true;
    // First connection: the wall clock steps right after CONNECT, and the CONNACK comes 1.5 s late,
    // so a clock check runs in between.
    sp.platform.connect = (o) => {
      const slow = first;
      first = false;
      return orig(
        intercept(o, {
          onConnect: () => (slow && sp.stepWall(600_000), o.onConnect()),
          onData: (b) => (slow ? sp.platform.setTimeout(() => o.onData(b), 1500) : o.onData(b)),
        }),
      );
    };
    device.start();
    await sp.advance(2000);
    expect(named('connected').length).toBeGreaterThanOrEqual(1);
    expect(named('error')).toEqual([]);
    await sp.advance(1000);
    expect(state.connects.length).toBe(2); // re-minted and reconnected on the stepped clock
    expect(device.stats().state).toBe('connected');
    await device.stop();
  });

  it('stop() during a refresh drain, then start(): QoS 1 flows again', async () => {
    const { sp, state, device } = setup({ refresh: { drainTimeoutMs: 60_000 } });
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    void device.publish('held').catch(() => {});
    await sp.advance(10);
    device.refresh();
    await sp.advance(10);
    await device.stop();
    state.withholdPuback = false;
    device.start();
    await sp.advance(100);
    const p = device.publish('after restart');
    await sp.advance(100);
    await p;
    expect(state.published.map((x) => x.payload)).toContain('after restart');
    await device.stop();
  });

  it('stop() from inside a tokenRefreshed handler: no error, no reconnect, the device stays stopped', async () => {
    let stopped: Promise<void> | null = null;
    const { sp, state, device, named } = setup({ onTokenRefreshed: () => { stopped = device.stop(); } });
    device.start();
    await sp.advance(10);
    device.refresh();
    await sp.advance(1000);
    expect(stopped).not.toBeNull();
    await stopped;
    expect(named('error')).toEqual([]);
    await sp.advance(300_000);
    expect(state.connects.length).toBe(1);
    expect(device.stats().state).toBe('stopped');
  });

  it('a key the signer refuses (stored public key does not match): one error, fallback-only, no retry loop', async () => {
    const { broker, state } = recordingBroker();
    const sp = createScriptedPlatform(broker, START);
    sp.platform.signers = p256Binding({ table: () => combTable(), hash: sha256, checkKeyInJob: true, sliceBudget: 8 }); // as on Espruino
    const good = parsePrivateKey(fixture('ec.pkcs8.pem'));
    const mismatched = ecPrivateKeyPkcs8((good as { d: Uint8Array }).d, getPublicKey(new Uint8Array(32).fill(7)));
    const errors: any[] = [];
    const device = createDevice(sp.platform, { deviceId: 'dev-1', credentials: { privateKey: mismatched }, mqtt: { url: 'mqtt://broker.test:1883' }, onError: (e) => errors.push(e) });
    device.start();
    await sp.advance(600_000);
    expect(errors.map((e) => e.code)).toEqual(['KEY_INVALID']);
    expect(device.stats().state).toBe('fallback-only');
    expect(state.connects.length).toBe(0);
    await device.stop();
  });

  it('stop() during a mint, then start(): one CONNECT, not two', async () => {
    const { sp, state, device } = setup();
    device.start();
    for (let i = 0; i < 5; i++) await Promise.resolve(); // start() has run; the mint waits on a (virtual) timer
    await device.stop();
    device.start();
    await sp.advance(100);
    expect(state.connects.length).toBe(1);
    expect(sp.connects.length).toBe(1);
    await device.stop();
  });

  it('a PUBACK while the next token is still minting does not reconnect with the old token', async () => {
    const { sp, state, device, named } = setup();
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    const p = device.publish('x');
    await sp.advance(10);
    state.withholdPuback = false;
    state.conns[0].send({ cmd: 'puback', messageId: state.published[0].messageId as number });
    device.refresh(); // the next token is minted in slices; the PUBACK above is delivered first
    await sp.advance(100);
    await p;
    expect(state.connects.length).toBe(2);
    const [a, b] = state.connects.map((c) => c.password);
    expect(b).not.toBe(a);
    expect(named('tokenRefreshed').length).toBe(1);
    await device.stop();
  });

  it('refresh() fires no callback from inside the call', async () => {
    const { sp, device, events } = setup();
    device.start();
    await sp.advance(10);
    await sp.advance(3060_000 - 20 - 30_000 + 100); // past the pre-mint: the next token is ready
    const before = events.length;
    device.refresh();
    expect(events.length).toBe(before);
    await sp.advance(10);
    expect(events.length).toBeGreaterThan(before);
    await device.stop();
  });

  it('pings when nothing has been received for a keepalive, even while it keeps sending', async () => {
    const { sp, state, device, named } = setup({ mqtt: { url: 'mqtt://broker.test', keepaliveS: 60 } });
    device.start();
    await sp.advance(10);
    state.conns[0].send = () => {}; // a half-open link: nothing comes back any more
    for (let i = 0; i < 20; i++) {
      void device.publish('q0-' + i, { qos: 0 });
      await sp.advance(5000); // sending every 5 s, well inside the keepalive
    }
    expect(named('disconnected')[0].arg.reason).toBe('keepalive-timeout');
    await device.stop();
  });

  it('without a monotonic clock no periodic check runs, and a clock gone untrusted mints no next token', async () => {
    const { sp, state, device, named } = setup({ tokenLifetimeS: 600 });
    delete (sp.platform as { monotonic?: unknown }).monotonic; // as on Espruino and Moddable
    device.start();
    await sp.advance(10);
    expect(named('connected').length).toBe(1);
    const pending = sp.pendingTimers();
    sp.setWall(Date.UTC(2001, 0, 1)); // a board that lost its time
    await sp.advance(60_000); // six check intervals: nothing looks at the clock
    expect(named('clockState').filter((e) => e.arg.trusted === false)).toEqual([]);
    expect(sp.pendingTimers()).toBeLessThanOrEqual(pending);
    await sp.advance(600_000); // the pre-mint and the refresh: checked there, no token from that clock
    expect(named('clockState').filter((e) => e.arg.trusted === false).length).toBeGreaterThanOrEqual(1);
    // the token in use is still the one minted on the good clock (no claims from 2001)
    expect(device.stats().tokenExp).toBe(decodeJwt(state.connects[0].password!).claims.exp);
    expect(state.connects.slice(1).every((c) => c.password === state.connects[0].password)).toBe(true);
    await device.stop();
  });

  it('outbox.persist: accepted messages survive a restart through platform.storage and are delivered once', async () => {
    const kv = new Map<string, string>();
    const storage = { get: (k: string) => kv.get(k), set: (k: string, v: string) => void kv.set(k, v), remove: (k: string) => void kv.delete(k) };
    const { broker, state } = recordingBroker();
    const sp = createScriptedPlatform(broker, START);
    sp.platform.storage = storage;
    const first = { sp, state };
    const a = createDevice(first.sp.platform, { deviceId: 'dev-1', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://broker.test' }, outbox: { persist: 'akenza-outbox' } });
    const pending = ['m1', 'm2', 'm3'].map((m) => a.publish({ m }, { topic: 'env' }).catch(() => 'not delivered'));
    await a.stop(); // never started: the power goes before anything was sent
    void pending;
    expect(JSON.parse(kv.get('akenza-outbox')!).map((r: any) => r.s)).toEqual(['env', 'env', 'env']);
    const b = createDevice(first.sp.platform, { deviceId: 'dev-1', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://broker.test' }, outbox: { persist: 'akenza-outbox' } });
    b.start();
    await first.sp.advance(2000);
    expect(first.state.published.map((p) => [p.topic, p.payload])).toEqual([
      ['/up/device/id/dev-1/env', '{"m":"m1"}'], ['/up/device/id/dev-1/env', '{"m":"m2"}'], ['/up/device/id/dev-1/env', '{"m":"m3"}'],
    ]);
    expect(kv.has('akenza-outbox')).toBe(false); // delivered, so nothing left to keep
    await b.stop();
    expect(() => createDevice({ ...first.sp.platform, storage: undefined }, { deviceId: 'd', credentials: { privateKey: fixture('ec.pkcs8.pem') }, outbox: { persist: 'x' } })).toThrow(/storage/);
  });
});


// SignerBinding.fitsNow (Espruino: whether a mint leaves 1,000 variables free): when it says no, a
// refresh disconnects first and mints with the connection's memory free.
describe('a refresh short of memory (the signer binding says a mint does not fit now)', () => {
  function lowMemory(fits: boolean, failSecond = false) {
    const order: string[] = [];
    const { broker, state } = recordingBroker();
    const b = broker.packet;
    broker.packet = (conn, p) => {
      if (p.cmd === 'connect' || p.cmd === 'disconnect') order.push(p.cmd);
      b(conn, p);
    };
    const sp = createScriptedPlatform(broker, START);
    sp.setRandom(() => 0.5);
    const base = sp.platform.signers;
    let signs = 0;
    let asked = 0;
    sp.platform.signers = {
      ecPublicKey: base.ecPublicKey,
      fitsNow: () => (asked++, fits),
      createSigner(key) {
        const s = base.createSigner(key);
        return { alg: s.alg, start: (m) => {
          order.push('sign');
          if (failSecond && ++signs === 2) throw new Error('signer failed');
          return s.start(m);
        } };
      },
    };
    const events: { name: string; arg: any }[] = [];
    const on = (name: string) => (arg: any) => events.push({ name, arg });
    const device = createDevice(sp.platform, {
      deviceId: 'dev-1', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://broker.test:1883' }, tokenLifetimeS: 3600,
      onTokenRefreshed: on('tokenRefreshed'), onError: on('error'), onConnected: on('connected'),
    });
    return { sp, state, device, order, events, asked: () => asked };
  }

  it('mints after the disconnect, then connects with the new token; tokenRefreshed once, after the mint; QoS 1 kept', async () => {
    const { sp, state, device, order, events, asked } = lowMemory(false);
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    const pub = device.publish('kept');
    await sp.advance(10);
    state.withholdPuback = false;
    await sp.advance(3060_000 + 100); // past the pre-mint (skipped) and the refresh: it drains first
    expect(order).toEqual(['sign', 'connect']);
    await sp.advance(30_000); // the drain's timeout (the PUBACK was withheld)
    expect(asked()).toBe(2); // the pre-mint's and the refresh's question
    expect(order).toEqual(['sign', 'connect', 'disconnect', 'sign', 'connect']);
    expect(state.connects.length).toBe(2);
    const first = decodeJwt(state.connects[0].password!).claims;
    const second = decodeJwt(state.connects[1].password!).claims;
    expect(second.iat - first.iat).toBeGreaterThan(3060); // minted after the drain, not 30 s ahead of the refresh
    nodeVerifyJwt(state.connects[1].password!, fixture('ec.pub.pem'));
    const refreshed = events.filter((e) => e.name === 'tokenRefreshed');
    expect(refreshed.map((e) => e.arg)).toEqual([{ previousExp: first.exp, exp: second.exp }]);
    await pub; // resent with DUP on the new connection and acknowledged
    expect(state.published.map((p) => [p.payload, p.dup])).toEqual([['kept', false], ['kept', true]]);
    await device.stop();
  });

  it('a failed mint after the disconnect connects again with the current token (still usable), and says why', async () => {
    const { sp, state, device, order, events } = lowMemory(false, true);
    device.start();
    await sp.advance(10);
    device.refresh();
    await sp.advance(100);
    expect(order).toEqual(['sign', 'connect', 'disconnect', 'sign', 'connect']);
    expect(state.connects.map((c) => c.password)).toEqual([state.connects[0].password, state.connects[0].password]);
    expect(events.filter((e) => e.name === 'error').map((e) => e.arg.message)).toEqual(['signer failed']);
    expect(events.filter((e) => e.name === 'tokenRefreshed').length).toBe(0);
    expect(events.filter((e) => e.name === 'connected').length).toBe(2);
    await device.stop();
  });

  it('when a mint fits, the next token is minted before the disconnect (the shortest offline gap)', async () => {
    const { sp, state, device, order } = lowMemory(true);
    device.start();
    await sp.advance(10);
    await sp.advance(3060_000 + 100);
    expect(order).toEqual(['sign', 'connect', 'sign', 'disconnect', 'connect']);
    expect(decodeJwt(state.connects[1].password!).claims.iat - decodeJwt(state.connects[0].password!).claims.iat).toBe(3030);
    await device.stop();
  });
});
