// Fallback decisions in virtual time: scripted broker + scripted HTTP/CoAP/UDP transports (through
// platform.uplinks). When fallback starts (threshold, clock, auth, no MQTT credentials), which
// transport carries each message, per-transport backoff, what is never sent twice, and the return to MQTT.
import { describe, expect, it } from 'vitest';
import { createDevice, type DeviceOptions } from '../../src/device/device';
import type { UplinkRequest, UplinkResult, UplinkTransport } from '../../src/uplink/common';
import { ACK, CON, encodeCoap, parseCoap, type CoapMessage } from '../../src/uplink/coap/codec';
import { allUplinks } from '../../src/uplink/index';
import { fixture } from '../helpers';
import { createScriptedPlatform, recordingBroker } from './scripted-platform';

const START = Date.UTC(2027, 0, 1);
type Script = (r: UplinkRequest, n: number) => UplinkResult | null;
const OK: Script = () => ({ outcome: 'ok', message: 'ok' });

type ScriptedPlatform = ReturnType<typeof createScriptedPlatform>;

/** `prep` for setup(): the real CoAP uplink, and a gateway that ACKs each CON request, with 2.01
 *  Created piggybacked while `piggyback()` says so, else empty (a separate response would follow). */
const coapGateway = (piggyback: () => boolean) => (sp: ScriptedPlatform) => {
  sp.platform.uplinks!.coap = allUplinks.coap;
  sp.setUdpPeer((d) => {
    const m = parseCoap(d.bytes) as CoapMessage;
    const p = piggyback();
    if (m.type === CON) d.reply(encodeCoap({ type: ACK, code: p ? 65 : 0, messageId: m.messageId, token: p ? m.token : new Uint8Array(0), options: [], payload: new Uint8Array(0) }));
  });
};

function setup(extra: Partial<DeviceOptions> = {}, scripts: { [t: string]: Script } = {}, prep?: (sp: ScriptedPlatform) => void) {
  const { broker, state } = recordingBroker();
  let accept = true;
  broker.accept = () => accept;
  const sp = createScriptedPlatform(broker, START);
  sp.setRandom(() => 0.5);
  const hung: ((r: UplinkResult) => void)[] = [];
  const sends: { type: string; payload: string; topic?: string; timestamp?: string; at: number; outcome: string }[] = [];
  const make = (type: 'http' | 'coap' | 'udp') => (): UplinkTransport => {
    let n = 0;
    return {
      type,
      send(r, cb) {
        const res = (scripts[type] || OK)(r, n++);
        sends.push({ type, payload: Buffer.from(r.payload).toString(), topic: r.topic, timestamp: r.timestamp, at: sp.elapsed(), outcome: res ? res.outcome : 'hang' });
        if (res) sp.platform.setTimeout(() => cb(res), 5);
        else hung.push(cb);
      },
      close() {},
    };
  };
  sp.platform.uplinks = { http: make('http'), coap: make('coap'), udp: make('udp') };
  if (prep) prep(sp);
  const events: { name: string; arg: any; at: number }[] = [];
  const device = createDevice(sp.platform, {
    deviceId: 'dev-1',
    credentials: { privateKey: fixture('ec.pkcs8.pem'), uplinkSecret: 's3cr3t' },
    mqtt: { url: 'mqtt://broker.test:1883' },
    fallback: [{ type: 'http', url: 'http://gw.test' }, { type: 'coap', url: 'coap://coap.test' }],
    fallbackAfterMs: 5000,
    backoff: { baseMs: 1000, capMs: 4000, resetAfterMs: 30000, authFloorMs: 8000 },
    fallbackBackoff: { baseMs: 1000, capMs: 8000, authFloorMs: 20000 },
    ...extra,
  });
  for (const n of ['connected', 'disconnected', 'fallback', 'sent', 'transportError', 'authRejected', 'error', 'dropped', 'downlink'] as const) device.on(n, (arg) => events.push({ name: n, arg, at: sp.elapsed() }));
  const named = (n: string) => events.filter((e) => e.name === n);
  const outcome = (p: Promise<void>) => p.then(() => 'ok', (e) => e.code || e.message);
  /** The outcome so far, without waiting ('pending' while open): a regression fails, it does not hang. */
  const track = (p: Promise<void>) => {
    const o = { v: 'pending' };
    outcome(p).then((v) => (o.v = v));
    return o;
  };
  return { track, sp, state, device, events, named, sends, hung, outcome, setAccept: (v: boolean) => (accept = v) };
}

describe('fallback (virtual time)', () => {
  it('MQTT unreachable: nothing over HTTP before fallbackAfterMs, then queued and new uplinks drain over HTTP in order', async () => {
    const { sp, device, named, sends, setAccept, state } = setup();
    setAccept(false);
    let started = 'pending';
    void device.start().then((r) => (started = r));
    const p = [device.publish({ n: 1 }, { topic: 'a', timestamp: START + 1000 }), device.publish({ n: 2 }, { qos: 0 })];
    await sp.advance(4990);
    expect(sends).toEqual([]);
    expect(started).toBe('pending');
    await sp.advance(20);
    expect(started).toBe('fallback'); // start() settles when the fallback takes over
    expect(named('fallback').map((e) => e.arg)).toEqual([{ active: true, transport: 'http', reason: 'MQTT down for 5000 ms' }]);
    await sp.advance(100);
    p.push(device.publish({ n: 3 }, { topic: 'b' }));
    await sp.advance(100);
    await Promise.all(p);
    expect(sends.map((s) => [s.type, s.payload, s.topic, s.timestamp])).toEqual([
      ['http', '{"n":1}', 'a', '2027-01-01T00:00:01.000Z'], ['http', '{"n":2}', '', undefined], ['http', '{"n":3}', 'b', undefined]]);
    expect(named('sent').map((e) => e.arg)).toEqual([{ transport: 'http', topic: 'a', bytes: 7 }, { transport: 'http', topic: '', bytes: 7 }, { transport: 'http', topic: 'b', bytes: 7 }]);
    expect(device.stats()).toMatchObject({ fallback: 'http', queued: 0, sent: { mqtt: 0, http: 3, coap: 0 } });
    // MQTT comes back: fallback ends, traffic returns to MQTT
    setAccept(true);
    await sp.advance(10_000);
    expect(named('connected').length).toBe(1);
    expect(named('fallback').map((e) => e.arg.active)).toEqual([true, false]);
    const p4 = device.publish({ n: 4 });
    await sp.advance(10);
    await p4;
    expect(state.published.map((x) => x.payload)).toEqual(['{"n":4}']);
    expect(sends.length).toBe(3);
    expect(device.stats().sent).toEqual({ mqtt: 1, http: 3, coap: 0 });
    await device.stop();
  });

  it('made for the outage and dropped after it: each entry checked at createDevice, a transport made when first tried and closed when it fails, none kept once MQTT is back', async () => {
    const made: string[] = [];
    const closed: string[] = [];
    const { sp, device, sends, setAccept, state } = setup({}, { http: (_r, n) => (n === 1 ? { outcome: 'retry', message: 'HTTP 503' } : { outcome: 'ok', message: 'ok' }) }, (p) => {
      const u = p.platform.uplinks!;
      for (const type of Object.keys(u)) {
        const f = u[type];
        u[type] = (pl, e, secret) => {
          made.push(type);
          const t = f(pl, e, secret);
          const close = t.close;
          t.close = () => {
            closed.push(type);
            close.call(t);
          };
          return t;
        };
      }
    });
    // createDevice made each entry once to check it, and closed it
    expect(made).toEqual(['http', 'coap']);
    expect(closed).toEqual(['http', 'coap']);
    setAccept(false);
    void device.start();
    await sp.advance(5010);
    expect(made).toEqual(['http', 'coap']); // on, but nothing to send: nothing made
    const p1 = device.publish({ n: 1 });
    await sp.advance(50);
    await p1;
    expect(made).toEqual(['http', 'coap', 'http']);
    const p2 = device.publish({ n: 2 }); // HTTP 503: HTTP closed, CoAP made and carries
    await sp.advance(50);
    await p2;
    expect(sends.map((x) => x.type + ' ' + x.outcome)).toEqual(['http ok', 'http retry', 'coap ok']);
    expect(made).toEqual(['http', 'coap', 'http', 'coap']);
    expect(closed).toEqual(['http', 'coap', 'http']);
    setAccept(true);
    await sp.advance(10_000);
    expect(device.stats()).toMatchObject({ state: 'connected', fallback: null });
    expect(closed).toEqual(['http', 'coap', 'http', 'coap']); // MQTT back: the fallback went, closing what it had made
    // the next outage makes a new one
    setAccept(false);
    state.conns[state.conns.length - 1].close();
    await sp.advance(5010);
    const p3 = device.publish({ n: 3 });
    await sp.advance(50);
    await p3;
    expect(made).toEqual(['http', 'coap', 'http', 'coap', 'http']);
    expect(device.stats()).toMatchObject({ fallback: 'http', sent: { mqtt: 0, http: 2, coap: 1 } });
    await device.stop();
    expect(closed.length).toBe(5);
  });

  it('a send whose outcome never comes fails past its transport\'s longest time (HTTP timeoutMs + 5 s): the message goes on over CoAP, and MQTT is not held behind it', async () => {
    const { sp, device, sends, setAccept, named, outcome, state } = setup({ fallbackAfterMs: 0, fallback: [{ type: 'http', url: 'http://gw.test', timeoutMs: 3000 }, { type: 'coap', url: 'coap://coap.test' }] }, { http: () => null });
    setAccept(false);
    device.start();
    await sp.advance(10);
    const p = outcome(device.publish({ n: 1 }));
    await sp.advance(7990);
    expect(sends.map((x) => x.type)).toEqual(['http']);
    expect(named('transportError')).toEqual([]);
    await sp.advance(20);
    expect(named('transportError').map((e) => e.arg.message)).toEqual(['http: no outcome within 8000 ms']);
    await sp.advance(20);
    expect(await p).toBe('ok');
    expect(sends.map((x) => x.type)).toEqual(['http', 'coap']);
    // the same with MQTT back meanwhile: it waits for the send, then carries on
    const q = outcome(device.publish({ n: 2 })); // HTTP backs off: CoAP carries it
    await sp.advance(20);
    expect(await q).toBe('ok');
    await sp.advance(2000); // HTTP's backoff over
    const r = outcome(device.publish({ n: 3 }));
    await sp.advance(20);
    expect(sends.map((x) => x.type)).toEqual(['http', 'coap', 'coap', 'http']);
    setAccept(true);
    await sp.advance(5000);
    expect(named('connected').length).toBe(1);
    expect(state.published).toEqual([]); // held behind the send still out
    await sp.advance(3000);
    expect(await r).toBe('ok'); // 8 s after the send: failed, then over MQTT
    expect(state.published.map((x) => x.payload)).toEqual(['{"n":3}']);
    await device.stop();
  });

  it('immediately when MQTT cannot authenticate: untrusted clock, second CONNACK 5 in a row, no MQTT credentials', async () => {
    const clock = setup({ fallbackAfterMs: 600_000 });
    clock.sp.setWall(Date.UTC(2020, 0, 1));
    clock.device.start();
    await clock.sp.advance(10);
    expect(clock.named('fallback').map((e) => e.arg)).toEqual([{ active: true, transport: 'http', reason: 'clock untrusted: cannot sign a token' }]);
    clock.device.publish({ c: 1 });
    await clock.sp.advance(20);
    expect(clock.sends.map((s) => s.payload)).toEqual(['{"c":1}']);
    await clock.device.stop();

    const auth = setup({ fallbackAfterMs: 600_000 });
    auth.state.refuseNext = [5, 5, 5, 5, 5, 5];
    auth.device.start();
    await auth.sp.advance(100);
    expect(auth.named('authRejected').length).toBe(1); // one refusal: a fresh token first
    expect(auth.named('fallback')).toEqual([]);
    await auth.sp.advance(5000);
    expect(auth.named('authRejected').length).toBe(2);
    expect(auth.named('fallback').map((e) => e.arg.reason)).toEqual(['MQTT refused the credentials (CONNACK 5)']);
    await auth.device.stop();

    const only = setup({ credentials: { uplinkSecret: 's3cr3t' } });
    only.device.start();
    const o1 = only.device.publish({ o: 1 }, { topic: 't' });
    await only.sp.advance(10);
    await o1;
    expect(only.sp.connects).toEqual([]);
    expect(only.device.stats().state).toBe('fallback-only');
    expect(only.sends.map((s) => [s.type, s.payload])).toEqual([['http', '{"o":1}']]);
    await expect(only.device.publish('not json')).rejects.toThrow(/JSON object or array/);
    await only.device.stop();
    expect(() => setup({ credentials: { uplinkSecret: 's' }, fallback: [] })).toThrow(/connectorId/);
    expect(() => setup({ credentials: { privateKey: fixture('ec.pkcs8.pem') } })).toThrow(/needs an uplink secret/);
  });

  it('per-transport backoff: HTTP down -> CoAP carries, HTTP retried after its backoff; refused secret backs off at least authFloorMs', async () => {
    const httpDown = { v: true };
    const { sp, device, named, sends, setAccept } = setup({ fallbackAfterMs: 0 }, {
      http: () => (httpDown.v ? { outcome: 'retry', message: 'HTTP: ECONNREFUSED' } : { outcome: 'ok', message: 'ok' }),
      coap: (r, n) => (n === 3 ? { outcome: 'auth', status: '4.01', message: 'CoAP 4.01: uplink secret refused' } : { outcome: 'ok', message: 'ok' }),
    });
    setAccept(false);
    device.start();
    await sp.advance(10);
    for (let i = 1; i <= 3; i++) device.publish({ i });
    await sp.advance(100);
    // 1 failed on HTTP, was carried by CoAP, as were 2 and 3 (HTTP is backing off 500-1000 ms)
    expect(sends.map((s) => [s.type, s.payload, s.outcome])).toEqual([['http', '{"i":1}', 'retry'], ['coap', '{"i":1}', 'ok'], ['coap', '{"i":2}', 'ok'], ['coap', '{"i":3}', 'ok']]);
    expect(named('transportError').map((e) => [e.arg.transport, e.arg.retryInMs])).toEqual([['http', 750]]);
    expect(named('fallback').map((e) => e.arg.transport)).toEqual(['http', 'coap']);
    httpDown.v = false;
    await sp.advance(1000);
    device.publish({ i: 4 });
    await sp.advance(100);
    expect(sends.slice(4).map((s) => [s.type, s.payload])).toEqual([['http', '{"i":4}']]);
    expect(named('fallback').map((e) => e.arg.transport)).toEqual(['http', 'coap', 'http']);
    // HTTP down again, and CoAP refuses the secret: both back off, the message waits for the first to come back
    httpDown.v = true;
    device.publish({ i: 5 });
    await sp.advance(100);
    expect(sends.slice(5).map((s) => [s.type, s.outcome])).toEqual([['http', 'retry'], ['coap', 'auth']]);
    const auth = named('authRejected').filter((e) => e.arg.transport === 'coap');
    expect(auth.map((e) => [e.arg.status, e.arg.retryInMs >= 20000])).toEqual([['4.01', true]]);
    const retryAt = sends[5].at + named('transportError')[1].arg.retryInMs;
    httpDown.v = false;
    await sp.advance(retryAt - sp.elapsed() - 10);
    expect(sends.length).toBe(7);
    await sp.advance(30);
    expect(sends.slice(7).map((s) => [s.type, s.payload, s.outcome])).toEqual([['http', '{"i":5}', 'ok']]);
    expect(device.stats().queued).toBe(0);
    await device.stop();
  });

  it('a QoS 1 message written to MQTT and unacknowledged is resent over MQTT only; the rest go over HTTP', async () => {
    const { sp, device, state, sends, setAccept, outcome } = setup({ fallbackAfterMs: 1000 });
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    const inflight = outcome(device.publish({ m: 'in flight' }));
    await sp.advance(10);
    expect(state.published.map((p) => p.payload)).toEqual(['{"m":"in flight"}']);
    setAccept(false);
    state.conns[0].close();
    await sp.advance(10); // (published before the close is seen, it would be written to MQTT, and so MQTT-only)
    const later = outcome(device.publish({ m: 'later' }));
    await sp.advance(2000);
    expect(await later).toBe('ok');
    expect(sends.map((s) => s.payload)).toEqual(['{"m":"later"}']); // not the one MQTT may have delivered
    expect(device.stats().queued).toBe(1);
    state.withholdPuback = false;
    setAccept(true);
    await sp.advance(10_000);
    expect(await inflight).toBe('ok');
    const resent = state.published.filter((p) => p.payload === '{"m":"in flight"}');
    expect(resent.map((p) => p.dup)).toEqual([false, true]); // same transport, DUP set: the broker can tell
    expect(sends.length).toBe(1);
    await device.stop();
  });

  it('held event names the rule keeping a message off fallback; publish({ timeoutMs }) rejects PUBLISH_TIMEOUT and the message stays queued, delivered over MQTT later (issue 17, item 5)', async () => {
    const { sp, device, state, sends, setAccept, track, named } = setup({ fallbackAfterMs: 1000 });
    const held: any[] = [];
    device.on('held', (e) => held.push(e));
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    const inflight = track(device.publish({ m: 'in flight' }, { timeoutMs: 5000 }));
    const binary = track(device.publish(new Uint8Array([1, 2, 3]), { qos: 0, timeoutMs: 600000 }));
    await sp.advance(10);
    setAccept(false);
    state.conns[0].close();
    await sp.advance(2000);
    expect(named('fallback').map((e) => e.arg.active)).toEqual([true]);
    // the QoS 0 binary one was written (bytes out) before the close: delivered; nothing held as jsonOnly
    expect(binary.v).toBe('ok');
    expect(held).toEqual([{ rule: 'noDuplicates', messages: 1, bytes: 17, transport: 'http' }]);
    const bin2 = track(device.publish(new Uint8Array([4]), { qos: 1 })); // waits for MQTT: not JSON
    await sp.advance(3000);
    expect(inflight.v).toBe('PUBLISH_TIMEOUT');
    expect(device.stats().queued).toBe(2); // still queued, not withdrawn
    expect(sends).toEqual([]);
    expect(bin2.v).toBe('pending');
    state.withholdPuback = false;
    setAccept(true);
    await sp.advance(10_000);
    expect(bin2.v).toBe('ok');
    expect(device.stats().queued).toBe(0);
    expect(state.published.filter((p) => p.payload === '{"m":"in flight"}').map((p) => p.dup)).toEqual([false, true]);
    expect(named('sent').filter((e) => e.arg.transport === 'mqtt').length).toBe(3); // the timed-out one too
    await expect(device.publish({}, { timeoutMs: 0 })).rejects.toThrow('timeoutMs must be a positive number');
    await device.stop();
  });

  it('held event for payloads fallback cannot carry (jsonOnly)', async () => {
    const { sp, device, setAccept } = setup({ fallbackAfterMs: 1000 });
    const held: any[] = [];
    device.on('held', (e) => held.push(e));
    setAccept(false);
    device.start();
    device.publish(new Uint8Array([1, 2]), { qos: 1 }).catch(() => undefined);
    device.publish({ j: 1 }).catch(() => undefined);
    await sp.advance(1500);
    expect(held).toEqual([{ rule: 'jsonOnly', messages: 1, bytes: 2, transport: 'http' }]);
    await device.stop();
  });

  it('allowDuplicates: the unacknowledged QoS 1 message may go over HTTP as well (and is not resent over MQTT after)', async () => {
    const { sp, device, state, sends, setAccept, outcome } = setup({ fallbackAfterMs: 1000, allowDuplicates: true });
    device.start();
    await sp.advance(10);
    state.withholdPuback = true;
    const inflight = outcome(device.publish({ m: 'in flight' }));
    await sp.advance(10);
    setAccept(false);
    state.conns[0].close();
    await sp.advance(2000);
    expect(await inflight).toBe('ok');
    expect(sends.map((s) => s.payload)).toEqual(['{"m":"in flight"}']);
    setAccept(true);
    state.withholdPuback = false;
    await sp.advance(10_000);
    expect(state.published.length).toBe(1);
    await device.stop();
  });

  it('MQTT back while a fallback send is out: MQTT waits for its outcome, nothing is sent twice; rejected uplinks fail for good', async () => {
    const { sp, device, state, sends, setAccept, outcome, named, hung } = setup({ fallbackAfterMs: 0 }, {
      http: (r) => (r.topic === 'bad' ? { outcome: 'rejected', status: 400, message: 'HTTP 400: message refused' } : null),
    });
    setAccept(false);
    device.start();
    await sp.advance(10);
    const bad = outcome(device.publish({ b: 1 }, { topic: 'bad' }));
    await sp.advance(20);
    expect(await bad).toBe('UPLINK_REJECTED');
    expect(named('error').length).toBe(1);
    const slow = outcome(device.publish({ s: 1 }, { topic: 'slow' }));
    const next = outcome(device.publish({ s: 2 }));
    await sp.advance(20);
    expect(hung.length).toBe(1);
    setAccept(true);
    await sp.advance(5000);
    expect(named('connected').length).toBe(1);
    expect(state.published).toEqual([]); // waits: {s:1} is still out on HTTP
    hung[0]({ outcome: 'ok', message: 'ok' });
    await sp.advance(20);
    expect(await slow).toBe('ok');
    expect(await next).toBe('ok');
    expect(state.published.map((p) => p.payload)).toEqual(['{"s":2}']);
    expect(sends.map((s) => s.payload)).toEqual(['{"b":1}', '{"s":1}']);
    await device.stop();
  });

  it('a payload that is not a JSON object or array waits for MQTT; the secret stays out of every event', async () => {
    const { sp, device, state, sends, setAccept, events } = setup({ fallbackAfterMs: 0, credentials: { uplinkSecret: 'TOPSECRET', connectorId: 'c1' }, outbox: { maxMessages: 3 } });
    setAccept(false);
    device.start();
    await sp.advance(10);
    device.publish('raw text', { topic: 't' }).catch(() => undefined);
    device.publish({ j: 1 });
    await sp.advance(20);
    expect(sends.map((s) => s.payload)).toEqual(['{"j":1}']);
    setAccept(true);
    await sp.advance(5000);
    expect(state.published.map((p) => [p.topic, p.payload])).toEqual([['/up/TOPSECRET/id/dev-1/t', 'raw text']]);
    // a downlink's topic holds the secret on the wire: the event shows it redacted
    for (const topic of ['/down/TOPSECRET/id/dev-1/cmd/x', '/down/TOPSECRET/id/dev-1'])
      state.conns[0].send({ cmd: 'publish', topic, payload: new Uint8Array(Buffer.from('hi')), qos: 0, retain: false, dup: false });
    await sp.advance(10);
    expect(events.filter((e) => e.name === 'downlink').map((e) => [e.arg.topic, e.arg.subTopic, e.arg.text])).toEqual([['/down/***/id/dev-1/cmd/x', 'cmd/x', 'hi'], ['/down/***/id/dev-1', '', 'hi']]);
    setAccept(false);
    state.conns[0].close();
    await sp.advance(10);
    for (let i = 0; i < 5; i++) device.publish('x' + i, { topic: 'drop' }).catch(() => undefined);
    await sp.advance(10);
    expect(events.filter((e) => e.name === 'dropped').length).toBe(2);
    for (const e of events) expect(JSON.stringify(e.arg)).not.toContain('TOPSECRET');
    await device.stop();
  });

  it('a transport whose send() throws is a failed attempt with backoff, not a wedge; the secret stays out of its message', async () => {
    let throwing = true;
    const t = setup({ fallbackAfterMs: 0 }, {}, (sp) => {
      const inner = sp.platform.uplinks!.http;
      sp.platform.uplinks!.http = (p, e, secret) => {
        const real = inner(p, e, secret);
        return { type: 'http', send: (r, cb) => (throwing ? (() => { throw new RangeError('Port should be > 0 and < 65536 (s3cr3t)'); })() : real.send(r, cb)), close: () => real.close() };
      };
    });
    t.setAccept(false);
    t.device.start();
    await t.sp.advance(10);
    const p1 = t.outcome(t.device.publish({ n: 1 }));
    await t.sp.advance(50);
    expect(await p1).toBe('ok');
    expect(t.sends.map((s) => [s.type, s.payload])).toEqual([['coap', '{"n":1}']]); // HTTP threw, CoAP carried it
    const err = t.named('transportError').map((e) => e.arg);
    expect(err.map((e) => [e.transport, e.retryInMs])).toEqual([['http', 750]]);
    expect(err[0].message).toMatch(/^http: Port should be/);
    expect(err[0].message).not.toContain('s3cr3t');
    throwing = false;
    await t.sp.advance(1000);
    const p2 = t.outcome(t.device.publish({ n: 2 }));
    await t.sp.advance(50);
    expect(await p2).toBe('ok');
    expect(t.sends.slice(1).map((s) => s.type)).toEqual(['http']);
    t.setAccept(true);
    await t.sp.advance(10_000);
    const p3 = t.outcome(t.device.publish({ n: 3 }));
    await t.sp.advance(10);
    expect(await p3).toBe('ok');
    expect(t.state.published.map((x) => x.payload)).toEqual(['{"n":3}']);
    await t.device.stop();
  });

  it('CoAP: an empty ACK and then no separate response counts as delivered (unconfirmed), never resent over HTTP', async () => {
    let piggyback = false;
    const t = setup({ fallbackAfterMs: 0, fallback: [{ type: 'coap', url: 'coap://coap.test', responseTimeoutMs: 5000 }, { type: 'http', url: 'http://gw.test' }] }, {}, coapGateway(() => piggyback));
    t.setAccept(false);
    t.device.start();
    await t.sp.advance(10);
    const p = t.outcome(t.device.publish({ n: 1 }));
    await t.sp.advance(4000);
    expect(t.named('sent')).toEqual([]); // still waiting for the separate response
    await t.sp.advance(2000);
    expect(await p).toBe('ok');
    expect(t.sends).toEqual([]); // nothing over HTTP
    expect(t.sp.datagrams.length).toBe(1); // and no second CoAP transmission
    expect(t.named('sent').map((e) => e.arg.transport)).toEqual(['coap']);
    expect(t.named('transportError')).toEqual([]);
    piggyback = true;
    const p2 = t.outcome(t.device.publish({ n: 2 }));
    await t.sp.advance(10);
    expect(await p2).toBe('ok');
    expect(t.device.stats().sent).toMatchObject({ coap: 2, http: 0 });
    await t.device.stop();
  });

  it('MQTT back while a CoAP exchange waits for its separate response: it ends as delivered at once, MQTT does not wait 93 s', async () => {
    const t = setup({ fallbackAfterMs: 0, fallback: [{ type: 'coap', url: 'coap://coap.test' }] }, {}, coapGateway(() => false));
    t.setAccept(false);
    t.device.start();
    await t.sp.advance(10);
    const p1 = t.track(t.device.publish({ n: 1 }));
    const p2 = t.track(t.device.publish({ n: 2 }));
    await t.sp.advance(100);
    expect(t.sp.datagrams.length).toBe(1); // {n:1} acknowledged, its response outstanding
    t.setAccept(true);
    const until = t.sp.elapsed() + 5000;
    while (!t.named('connected').length && t.sp.elapsed() < until) await t.sp.advance(100);
    const connectedAt = t.named('connected')[0].at;
    await t.sp.advance(10);
    expect([p1.v, p2.v]).toEqual(['ok', 'ok']);
    expect(t.named('sent').map((e) => [e.arg.transport, e.at - connectedAt])).toEqual([['coap', 0], ['mqtt', expect.any(Number)]]);
    expect(t.named('sent')[1].at - connectedAt).toBeLessThan(50); // virtual ms
    expect(t.state.published.map((x) => x.payload)).toEqual(['{"n":2}']);
    expect(t.sp.datagrams.length).toBe(1);
    await t.device.stop();
  });

  it('stop() while a fallback send is out: a late success still counts (no resend after start, stored outbox updated); a late failure is resent once, never alongside', async () => {
    const kv = new Map<string, string>();
    const t = setup({ fallbackAfterMs: 0, outbox: { persist: 'ob' }, fallback: [{ type: 'http', url: 'http://gw.test' }] }, { http: (r) => (r.topic === 'slow' ? null : { outcome: 'ok', message: 'ok' }) }, (sp) => {
      sp.platform.storage = { get: (k) => kv.get(k), set: (k, v) => void kv.set(k, v), remove: (k) => void kv.delete(k) };
    });
    t.setAccept(false);
    t.device.start();
    await t.sp.advance(10);
    const p = t.track(t.device.publish({ n: 1 }, { topic: 'slow' }));
    await t.sp.advance(10);
    expect(t.hung.length).toBe(1);
    await t.device.stop();
    expect(kv.get('ob')).toContain('"s":"slow"'); // saved while its outcome was open
    t.hung[0]({ outcome: 'ok', message: 'HTTP 200' });
    await t.sp.advance(10);
    expect(p.v).toBe('ok');
    expect(t.device.stats()).toMatchObject({ queued: 0, sent: { http: 1 } });
    expect(kv.has('ob')).toBe(false);
    t.device.start();
    await t.sp.advance(1000);
    expect(t.sends.length).toBe(1);

    // The same with a restart before the outcome: nothing goes out while the first attempt is open.
    const q = t.track(t.device.publish({ n: 2 }, { topic: 'slow' }));
    await t.sp.advance(10);
    expect(t.hung.length).toBe(2);
    await t.device.stop();
    t.device.start();
    await t.sp.advance(1000);
    expect(t.sends.length).toBe(2);
    t.hung[1]({ outcome: 'retry', message: 'HTTP: aborted' });
    await t.sp.advance(1000);
    expect(t.sends.length).toBe(3); // then, and only then, again (after its backoff)
    expect(t.named('transportError').length).toBe(1);
    // A failure reported while stopped (close() aborting it) is no transport failure: no backoff.
    await t.device.stop();
    t.hung[2]({ outcome: 'retry', message: 'HTTP: aborted' });
    await t.sp.advance(10);
    expect(t.named('transportError').length).toBe(1);
    t.device.start();
    await t.sp.advance(10);
    expect(t.sends.length).toBe(4);
    t.hung[3]({ outcome: 'ok', message: 'HTTP 200' });
    await t.sp.advance(10);
    expect(q.v).toBe('ok');
    expect(t.device.stats()).toMatchObject({ queued: 0, sent: { http: 2 } });
    await t.device.stop();
  });

  it('outbox.persist keeps the MQTT-only mark: an unacknowledged QoS 1 message does not go over HTTP after a restart', async () => {
    const kv = new Map<string, string>();
    const storage = { get: (k: string) => kv.get(k), set: (k: string, v: string) => void kv.set(k, v), remove: (k: string) => void kv.delete(k) };
    const opts = { fallbackAfterMs: 0, outbox: { persist: 'ob' } };
    const a = setup(opts, {}, (sp) => (sp.platform.storage = storage));
    a.device.start();
    await a.sp.advance(10);
    a.state.withholdPuback = true;
    void a.device.publish({ m: 'written' }).catch(() => undefined);
    await a.sp.advance(1500); // past the persistence debounce, no other change
    expect(a.state.published.map((p) => p.payload)).toEqual(['{"m":"written"}']);
    expect(JSON.parse(kv.get('ob')!)).toEqual([expect.objectContaining({ m: 1 })]);
    // power lost here (nothing written at stop); the next run cannot reach MQTT
    const b = setup(opts, {}, (sp) => (sp.platform.storage = storage));
    b.setAccept(false);
    b.device.start();
    const fresh = b.track(b.device.publish({ m: 'fresh' }));
    await b.sp.advance(100);
    expect(fresh.v).toBe('ok');
    expect(b.sends.map((s) => s.payload)).toEqual(['{"m":"fresh"}']);
    expect(b.device.stats().queued).toBe(1);
    b.setAccept(true);
    await b.sp.advance(10_000);
    expect(b.state.published.map((p) => [p.payload, p.dup])).toEqual([['{"m":"written"}', true]]);
    expect(b.device.stats().queued).toBe(0);
    await b.device.stop();
  });

  it('a message too big for a datagram is rejected up front (dropped, counted, with an event) and the queue moves on', async () => {
    const t = setup({ fallbackAfterMs: 0, fallback: [{ type: 'coap', url: 'coap://coap.test' }] }, {}, coapGateway(() => true));
    t.setAccept(false);
    t.device.start();
    await t.sp.advance(10);
    const big = t.outcome(t.device.publish('{"a":"' + 'x'.repeat(70_000) + '"}', { topic: 'big' }));
    const small = t.outcome(t.device.publish({ small: 1 }));
    await t.sp.advance(50);
    expect(await big).toBe('UPLINK_REJECTED');
    expect(await small).toBe('ok');
    expect(t.sp.datagrams.every((d) => d.bytes.length <= 65507)).toBe(true);
    expect(t.named('dropped').map((e) => e.arg)).toEqual([{ topic: 'big', bytes: 70_008, total: 1, reason: expect.stringMatching(/exceeds 65507/) }]);
    expect(t.device.stats()).toMatchObject({ dropped: 1, queued: 0, sent: { coap: 1 } });
    await t.device.stop();

    const u = setup({ fallbackAfterMs: 0, fallback: [{ type: 'udp', url: 'udp://gw.test:5684', maxDatagramBytes: 200 }] }, {}, (sp) => {
      sp.platform.uplinks!.udp = allUplinks.udp;
    });
    u.setAccept(false);
    u.device.start();
    await u.sp.advance(10);
    const r = [u.outcome(u.device.publish({ pad: 'y'.repeat(200) })), u.outcome(u.device.publish({ u: 1 }))];
    await u.sp.advance(50);
    expect(await Promise.all(r)).toEqual(['UPLINK_REJECTED', 'ok']);
    expect(u.sp.datagrams.map((d) => Buffer.from(d.bytes).toString().split('\n')[1])).toEqual(['{"u":1}']);
    expect(u.device.stats().dropped).toBe(1);
    await u.device.stop();
  });

  it('the fallback event always names a transport, even when every one is backing off', async () => {
    const t = setup({ fallbackAfterMs: 0, fallbackBackoff: { baseMs: 60_000, capMs: 60_000, authFloorMs: 60_000 } }, {
      http: () => ({ outcome: 'retry', message: 'HTTP 503' }),
      coap: () => ({ outcome: 'retry', message: 'CoAP 5.03' }),
    });
    t.setAccept(false);
    t.device.start();
    await t.sp.advance(10);
    const p = t.outcome(t.device.publish({ n: 1 }));
    await t.sp.advance(100);
    expect(t.sends.map((s) => s.type)).toEqual(['http', 'coap']); // both now back off 30-60 s
    t.setAccept(true);
    await t.sp.advance(5000);
    expect(await p).toBe('ok'); // over MQTT
    t.setAccept(false);
    t.state.conns[0].close();
    await t.sp.advance(100);
    const fb = t.named('fallback').map((e) => e.arg);
    expect(fb.map((e) => [e.active, e.transport])).toEqual([[true, 'http'], [false, 'mqtt'], [true, 'http']]);
    await t.device.stop();
  });
});
