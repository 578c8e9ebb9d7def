// Every event handler may call stop(), refresh() or publish() (issue 17, item 2): each action from
// each device event, in virtual time against the scripted broker. Nothing may throw out of the
// device, reach an 'error' handler as an internal failure, or leave a promise unhandled; a stop()
// must stay stopped (no connect after it) and a publish() must settle, delivered when it resolves.
// The fallback's own events (fallback, transportError) are not driven here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDevice, type Device, type DeviceOptions } from '../../src/device/device';
import { fixture } from '../helpers';
import { createScriptedPlatform, recordingBroker } from './scripted-platform';

const START = Date.UTC(2027, 0, 1);
type Action = 'stop' | 'refresh' | 'publish';
type Sp = ReturnType<typeof createScriptedPlatform>;
type State = ReturnType<typeof recordingBroker>['state'];

/** How each event is brought about: options for the device, and what to do once it runs. */
const TRIGGERS: { [event: string]: { opts?: Partial<DeviceOptions>; go(sp: Sp, state: State, d: Device): void | Promise<void> } } = {
  connected: { go: () => {} },
  disconnected: { go: async (sp, state) => { await sp.advance(100); state.conns[0].close(); } },
  tokenRefreshed: { go: async (sp, _s, d) => { await sp.advance(100); d.refresh(); } },
  authRejected: { go: (_sp, state) => void (state.refuseNext = [5]) },
  clockState: { go: (sp) => void sp.setWall(Date.UTC(2001, 0, 1)) }, // untrusted at start: waiting-clock
  dropped: {
    opts: { outbox: { maxMessages: 1 } },
    go: (_sp, _s, d) => {
      d.publish('a').catch(() => {});
      d.publish('b').catch(() => {});
    },
  },
  downlink: {
    go: async (sp, state) => {
      await sp.advance(100);
      state.conns[0].send({ cmd: 'publish', topic: '/down/device/id/dev-1/cmd', payload: new Uint8Array([0x6f, 0x6e]), qos: 1, retain: false, dup: false, messageId: 9 });
    },
  },
  sent: { go: async (sp, _s, d) => { await sp.advance(100); d.publish('x').catch(() => {}); } },
  error: { opts: { outbox: { persist: 'k' } }, go: () => {} }, // a corrupt stored outbox is reported as an error
};

let unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** A device on the scripted platform and broker (random 0.5); its storage holds a corrupt outbox under 'k'. */
function setup(opts: Partial<DeviceOptions> = {}) {
  const { broker, state } = recordingBroker();
  const sp = createScriptedPlatform(broker, START);
  sp.setRandom(() => 0.5);
  const storage = new Map<string, string>([['k', 'not json']]);
  sp.platform.storage = { get: (k) => storage.get(k), set: (k, v) => void storage.set(k, v), remove: (k) => void storage.delete(k) };
  const d = createDevice(sp.platform, { deviceId: 'dev-1', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://broker.test:1883' }, ...opts });
  return { sp, state, d };
}

async function run(event: string, action: Action) {
  const t = TRIGGERS[event];
  const errors: unknown[] = [];
  const { sp, state, d } = setup({ tokenLifetimeS: 600, ...t.opts });
  let calls = 0;
  let stoppedAt = -1;
  let published: Promise<string> | null = null;
  d.on(event as 'connected', () => {
    if (calls++) return;
    if (action === 'stop') {
      void d.stop();
      stoppedAt = state.connects.length;
    } else if (action === 'refresh') d.refresh();
    else published = d.publish('from-' + event, { topic: 'r' }).then(() => 'resolved', (e: { code?: string }) => 'rejected ' + e.code);
  });
  d.on('error', (e) => errors.push(e));
  d.start();
  await t.go(sp, state, d);
  if (event === 'clockState') {
    await sp.advance(1000);
    sp.setWall(START + 1000); // the clock is set: the device goes on
  }
  await sp.advance(120_000);
  return { d, state, errors, calls, stoppedAt, published: published as Promise<string> | null };
}

describe('each event handler may call stop(), refresh() or publish()', () => {
  for (const event of Object.keys(TRIGGERS)) {
    for (const action of ['stop', 'refresh', 'publish'] as Action[]) {
      it(`${action}() from '${event}'`, async () => {
        const r = await run(event, action);
        expect(r.calls, 'the event happened').toBeGreaterThan(0);
        // no internal failure: only the stored outbox's own report in the 'error' scenario
        const internal = r.errors.filter((e) => !(event === 'error' && (e as { code?: string }).code === 'OPTION_INVALID'));
        expect(internal.map(String)).toEqual([]);
        expect(unhandled.map(String)).toEqual([]);
        if (action === 'stop') {
          expect(r.d.stats().state).toBe('stopped');
          expect(r.state.connects.length).toBe(r.stoppedAt); // nothing connected after the stop
        } else {
          await r.d.stop();
          if (action === 'publish') {
            const outcome = await r.published!;
            if (outcome === 'resolved') expect(r.state.published.some((p) => p.payload === 'from-' + event)).toBe(true);
            else expect(outcome).toMatch(/^rejected [A-Z_]+$/);
          }
        }
      });
    }
  }
});

describe('start() and a publish() before it', () => {
  it("resolves 'connected' at the first connect, at once when already connected; a publish() made before start() goes out then", async () => {
    const { sp, state, d } = setup();
    const early = d.publish('before start');
    await sp.advance(60_000);
    expect(state.published).toEqual([]); // queued, not sent, not refused
    let result = '';
    void d.start().then((r) => (result = r));
    await sp.advance(10);
    expect(result).toBe('connected');
    await early;
    expect(state.published.map((p) => p.payload)).toEqual(['before start']);
    expect(await d.start()).toBe('connected');
    await d.stop();
  });

  it("resolves 'stopped' when stop() comes first, and never rejects while the token is refused", async () => {
    const { sp, state, d } = setup();
    state.refuseNext = new Array(100).fill(5);
    let result = 'pending';
    void d.start().then((r) => (result = r), () => (result = 'rejected'));
    await sp.advance(300_000);
    expect(state.connects.length).toBeGreaterThan(2);
    expect(result).toBe('pending');
    await d.stop();
    await sp.advance(10);
    expect(result).toBe('stopped');
  });
});
