// createDevice's options checked and resolved to their defaults, as a new device context.
import { AkenzaError, fail, OPTION_INVALID } from '../errors';
import { checkDeviceId, DEFAULT_LIFETIME_S, jwtParts } from '../jwt';
import { fingerprint, parsePrivateKey } from '../keys';
import type { Platform } from '../platform';
import type { Signer } from '../sign/signer';
import { publicKeyFor } from '../sign/sign-jwt';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { SDK_BUILD_TIME, stepped } from './clock';
import { Conn } from './connection';
import { changed, error, later, type DeviceContext } from './context';
import { Emitter } from './events';
import { createOutbox, DEFAULT_OUTBOX, type OutboxLimits } from './outbox';
import { loadOutbox } from './persist';
import { jwtTopics, secretTopics, type Topics } from './topics';
import { checkKeys } from './known-keys';
import type { DeviceOptions } from './types';
import type { DeviceEventName, DeviceEvents } from './event-types';

// scheme://host[:port][/path], host a name or a bracketed IPv6 address: mqtt and mqtts with no path,
// ws and wss (MQTT over WebSocket) with one, /mqtt when none is given. Scanned, not a regex:
// Espruino's regexes have no '?' quantifier, no (?:...) and no quantified groups.
function parseUrl(url: string): { tls: boolean; host: string; port: number; ws?: string } {
  const sep = url.indexOf('://');
  const scheme = sep > 0 ? url.slice(0, sep) : '';
  const ws = scheme === 'ws' || scheme === 'wss';
  const tls = scheme === 'mqtts' || scheme === 'wss';
  let rest = ws || tls || scheme === 'mqtt' ? url.slice(sep + 3) : '';
  const v6 = rest.charAt(0) === '[';
  const slash = rest.indexOf('/', v6 ? rest.indexOf(']') : 0);
  const path = slash < 0 ? '' : rest.slice(slash);
  if (slash >= 0) rest = rest.slice(0, slash);
  const end = v6 ? rest.indexOf(']') + 1 : rest.indexOf(':') < 0 ? rest.length : rest.indexOf(':');
  const host = v6 ? rest.slice(1, end - 1) : rest.slice(0, end);
  const portText = rest.slice(end + 1);
  const port = portText ? Number(portText) : ws ? (tls ? 443 : 80) : tls ? 8883 : 1883;
  const badHost = !host || (v6 ? !end : /[\/?#@]/.test(host));
  const badPort = end < rest.length && (rest.charAt(end) !== ':' || !portText || !/^\d*$/.test(portText));
  const badPath = ws ? /[\s#]/.test(path) : path.length > 1;
  if (badHost || badPort || badPath || port < 1 || port > 65535)
    return fail(OPTION_INVALID, 'mqtt.url must look like mqtts://host:8883, mqtt://host:1883, wss://host:443/mqtt or ws://host:80/mqtt (port 1-65535)');
  return ws ? { tls, host, port, ws: path || '/mqtt' } : { tls, host, port };
}

function noop(): void {}

/**
 * Checks the options (throwing OPTION_INVALID), applies defaults, restores a persisted outbox.
 * The context keeps the resolved values only, never `o` itself (no closure made here outlives it).
 */
export function createContext(platform: Platform, o: DeviceOptions): DeviceContext {
  // The events that have an on<Name> option: one string, a local (a module-level one would stay
  // in RAM on Espruino for as long as the module is loaded).
  const evNames = 'Connected Disconnected Downlink TokenRefreshed AuthRejected ClockState Dropped Error Fallback Sent TransportError Held';
  checkKeys(o, 'deviceId credentials audienceBase tokenLifetimeS mqtt outbox backoff clock fallback fallbackAfterMs fallbackBackoff allowDuplicates refresh on' + evNames.split(' ').join(' on'), '');
  const deviceId = checkDeviceId(o.deviceId);
  const cred = o.credentials || fail(OPTION_INVALID, 'credentials are required');
  checkKeys(cred, 'privateKey alg kid uplinkSecret connectorId', 'credentials.');
  const jwtMode = 'privateKey' in cred;
  let signer: Signer | null = null;
  let kid: string | undefined;
  let topics: Topics;
  if ('privateKey' in cred) {
    const key = parsePrivateKey(cred.privateKey, cred.alg);
    signer = platform.signers.createSigner(key);
    kid = cred.kid === 'auto' ? fingerprint(publicKeyFor(key, platform.signers)) : cred.kid;
    topics = jwtTopics(deviceId);
  } else {
    if (!cred.uplinkSecret || (!cred.connectorId && !(o.fallback && o.fallback.length)))
      fail(OPTION_INVALID, 'secret credentials need uplinkSecret and connectorId (or a fallback list)');
    topics = secretTopics(deviceId, cred.uplinkSecret);
  }
  const user = (cred as { connectorId?: string }).connectorId;
  const lifetimeS = o.tokenLifetimeS === undefined ? DEFAULT_LIFETIME_S : o.tokenLifetimeS; // (0 is refused below, not taken as unset)
  jwtParts('ES256', { deviceId, audienceBase: o.audienceBase, lifetimeS }, 'tokenLifetimeS'); // validates options now, not at the first mint
  const m = o.mqtt || {};
  checkKeys(m, 'url ca servername keepaliveS connackTimeoutMs maxInflight maxPacketSize maxUnsentBytes', 'mqtt.');
  checkKeys(o.outbox, 'maxMessages maxBytes persist', 'outbox.');
  checkKeys(o.backoff, 'baseMs capMs resetAfterMs authFloorMs', 'backoff.');
  checkKeys(o.clock, 'notBeforeMs stepToleranceMs checkIntervalMs', 'clock.');
  checkKeys(o.refresh, 'drainTimeoutMs premintLeadMs', 'refresh.');
  const url = parseUrl(m.url || 'mqtts://mqtt.akenza.io:8883');
  const limits: OutboxLimits = {
    maxMessages: (o.outbox && o.outbox.maxMessages) || DEFAULT_OUTBOX.maxMessages,
    maxBytes: (o.outbox && o.outbox.maxBytes) || DEFAULT_OUTBOX.maxBytes,
  };
  if (o.outbox && o.outbox.persist) limits.persist = o.outbox.persist;
  const policy: BackoffPolicy = { baseMs: DEFAULT_BACKOFF.baseMs, capMs: DEFAULT_BACKOFF.capMs, resetAfterMs: DEFAULT_BACKOFF.resetAfterMs, authFloorMs: DEFAULT_BACKOFF.authFloorMs };
  for (const k in o.backoff || {}) (policy as any)[k] = (o.backoff as any)[k];
  const co = o.clock || {};
  const r = o.refresh || {};
  const events = new Emitter<DeviceEvents>();
  const names = evNames.split(' ');
  for (let i = 0; i < names.length; i++) {
    const h = (o as any)['on' + names[i]];
    if (h) events.on((names[i].charAt(0).toLowerCase() + names[i].slice(1)) as DeviceEventName, h);
  }
  // Persistence: every change schedules one write (debounced), stop() writes at once.
  const store = limits.persist ? platform.storage || fail(OPTION_INVALID, 'outbox.persist needs a platform with storage') : null;
  const c = {
    platform_: platform, deviceId_: deviceId, jwtMode_: jwtMode, mqttEnabled_: jwtMode || !!user, secret_: cred.uplinkSecret,
    signer_: signer, kid_: kid, audienceBase_: o.audienceBase, lifetimeS_: lifetimeS, up_: topics.up, down_: topics.down,
    maxInflight_: m.maxInflight || 20, limits_: limits,
    clockCheckMs_: co.checkIntervalMs || 10000, drainTimeoutMs_: r.drainTimeoutMs || 5000, premintLeadMs_: r.premintLeadMs === undefined ? 30000 : r.premintLeadMs,
    offset_: 0, lastWall_: 0, lastMono_: 0, notBefore_: co.notBeforeMs === undefined ? SDK_BUILD_TIME : co.notBeforeMs, stepTolerance_: co.stepToleranceMs || 5000,
    backoff_: policy, attempt_: 0, store_: store, events_: events, fb_: null,
    state_: 'idle', session_: null, connectedAt_: 0, token_: null, next_: null, mintWaiters_: null, refreshIn_: 0, refreshing_: false, draining_: false, reconnectNow_: false,
    epoch_: 0, authFailures_: 0, dropped_: 0, connects_: 0, refreshes_: 0, sent_: { mqtt: 0 }, clockTrusted_: null, nextId_: 0, idsInUse_: {}, timers_: {},
  } as unknown as DeviceContext;
  c.outbox_ = createOutbox(limits, changed, c);
  c.conn_ = new Conn(c, url.host, url.port, url.tls ? { ca: m.ca, servername: m.servername } : undefined, jwtMode ? deviceId : user, m);
  if (url.ws) {
    if (!platform.webSocket) fail(OPTION_INVALID, 'MQTT over WebSocket (' + url.ws + ') is not in this bundle: use mqtts:// or mqtt://');
    c.conn_.ws = url.ws; // (set only for WebSocket: a property is a variable on Espruino)
  }
  stepped(c); // starts the step check from now

  // What a previous run accepted and did not deliver goes out first (its publish() promise is gone).
  if (store) {
    let restored: ReturnType<typeof loadOutbox> = [];
    try {
      restored = loadOutbox(store, limits.persist as string);
    } catch (e) {
      later(() => error(c, new AkenzaError(OPTION_INVALID, 'stored outbox is corrupt and was discarded')));
    }
    for (let i = 0; i < restored.length; i++) {
      const s = restored[i];
      c.outbox_.push({ topic: s.sub ? c.up_ + '/' + s.sub : c.up_, payload: s.payload, qos: s.qos, messageId: 0, sent: !!s.sent, sub: s.sub, ts: s.ts, json: s.json, done: noop });
    }
  }
  return c;
}
