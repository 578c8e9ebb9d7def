// Unknown option keys are refused with OPTION_INVALID naming the key and the nearest known one
// (issue 17, item 8): createDevice's options and their groups, fallback entries, publish()'s.
import { describe, expect, it } from 'vitest';
import { createDevice, type DeviceOptions } from '../../src/device/device';
import { createDevice as createNodeDevice } from '../../targets/node/index';
import { fixture } from '../helpers';
import { createScriptedPlatform, recordingBroker } from './scripted-platform';

const base = { deviceId: 'dev-k', credentials: { privateKey: fixture('ec.pkcs8.pem') }, mqtt: { url: 'mqtt://broker.test:1883' } };
const make = (extra: object) => createDevice(createScriptedPlatform(recordingBroker().broker).platform, { ...base, ...extra } as DeviceOptions);
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { code: string }).code + ': ' + (e as Error).message;
  }
  return 'accepted';
};

describe('unknown options are refused', () => {
  it('createDevice: top level, credentials and each group name the key and the nearest known one', () => {
    expect(refusal(() => make({ mqttUrl: 'mqtt://x' }))).toBe('OPTION_INVALID: unknown option "mqttUrl" (did you mean "mqtt"?)');
    expect(refusal(() => make({ onConected: () => 0 }))).toBe('OPTION_INVALID: unknown option "onConected" (did you mean "onConnected"?)');
    expect(refusal(() => make({ tokenLifetime: 600 }))).toBe('OPTION_INVALID: unknown option "tokenLifetime" (did you mean "tokenLifetimeS"?)');
    expect(refusal(() => make({ mqtt: { url: 'mqtt://x:1', will: { topic: 't' } } }))).toMatch(/^OPTION_INVALID: unknown option "mqtt.will" \(known: url ca servername /);
    expect(refusal(() => make({ mqtt: { url: 'mqtt://x:1', kepaliveS: 5 } }))).toBe('OPTION_INVALID: unknown option "mqtt.kepaliveS" (did you mean "mqtt.keepaliveS"?)');
    expect(refusal(() => make({ outbox: { maxMessage: 5 } }))).toBe('OPTION_INVALID: unknown option "outbox.maxMessage" (did you mean "outbox.maxMessages"?)');
    expect(refusal(() => make({ backoff: { maxMs: 5 } }))).toMatch(/^OPTION_INVALID: unknown option "backoff.maxMs"/);
    expect(refusal(() => make({ clock: { notBefore: 5 } }))).toBe('OPTION_INVALID: unknown option "clock.notBefore" (did you mean "clock.notBeforeMs"?)');
    expect(refusal(() => make({ refresh: { drainTimeout: 5 } }))).toBe('OPTION_INVALID: unknown option "refresh.drainTimeout" (did you mean "refresh.drainTimeoutMs"?)');
    expect(refusal(() => make({ credentials: { privateKey: fixture('ec.pkcs8.pem'), passphrase: 'x' } }))).toMatch(/^OPTION_INVALID: unknown option "credentials.passphrase"/);
    expect(refusal(() => make({ fallback: [{ type: 'http', url: 'http://x', secret: 's', timeout: 5 }] }))).toBe('OPTION_INVALID: unknown option "fallback[0].timeout" (did you mean "fallback[0].timeoutMs"?)');
    expect(refusal(() => make({ fallback: [{ type: 'udp', url: 'udp://x:1', secret: 's' }], fallbackBackoff: { base: 1 } }))).toMatch(/^OPTION_INVALID: unknown option "fallbackBackoff.base"/);
  });

  it('every known option is still accepted', () => {
    const all = {
      audienceBase: 'https://akenza.io', tokenLifetimeS: 600, allowDuplicates: false, fallbackAfterMs: 1000,
      mqtt: { url: 'mqtt://x:1', ca: undefined, servername: 'x', keepaliveS: 5, connackTimeoutMs: 5, maxInflight: 5, maxPacketSize: 5000, maxUnsentBytes: 5000 },
      outbox: { maxMessages: 5, maxBytes: 5000 }, backoff: { baseMs: 1, capMs: 2, resetAfterMs: 3, authFloorMs: 4 },
      clock: { notBeforeMs: 0, stepToleranceMs: 1, checkIntervalMs: 2 }, refresh: { drainTimeoutMs: 1, premintLeadMs: 2 },
      fallback: [{ type: 'http', url: 'http://x', secret: 's', secretInQuery: true, timeoutMs: 5, ca: undefined }, { type: 'coap', url: 'coap://x', secret: 's', ackTimeoutMs: 1, ackRandomFactor: 1.5, maxRetransmit: 1, responseTimeoutMs: 1, maxDatagramBytes: 500 }, { type: 'udp', url: 'udp://x:1', secret: 's', maxDatagramBytes: 500 }],
      fallbackBackoff: { baseMs: 1, capMs: 2, authFloorMs: 3 },
      onConnected() {}, onDisconnected() {}, onDownlink() {}, onTokenRefreshed() {}, onAuthRejected() {}, onClockState() {}, onDropped() {}, onError() {}, onFallback() {}, onSent() {}, onTransportError() {}, onHeld() {},
    };
    expect(refusal(() => createNodeDevice({ ...base, ...all } as DeviceOptions))).toBe('accepted'); // Node: every uplink type
  });

  it('publish(): an unknown key rejects its promise', async () => {
    const d = make({});
    await expect(d.publish('x', { retain: true } as object)).rejects.toThrow('unknown option "retain" (known: topic qos timestamp');
    await expect(d.publish('x', { qso: 0 } as object)).rejects.toThrow(/^unknown option "qso"/);
  });

  it('the Node target refuses them too', () => {
    expect(refusal(() => createNodeDevice({ ...base, mqttUrl: 'x' } as DeviceOptions))).toBe('OPTION_INVALID: unknown option "mqttUrl" (did you mean "mqtt"?)');
  });
});
