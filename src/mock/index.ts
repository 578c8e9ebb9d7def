// akenza-device/mock: startMockCloud() wires the registry, the MQTT/MQTTS broker, HTTP, CoAP and UDP
// capture, the uplink and auth records, and fault injection into one object with close().
/**
 * The mock cloud for tests and CI: `startMockCloud()` (auth-validating MQTT/MQTTS broker, HTTP, CoAP and UDP capture), its registry and the platform's JWT check.
 * @module akenza-device/mock
 */
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { audienceFor, DEFAULT_AUDIENCE_BASE, MAX_LIFETIME_S } from '../jwt';
import { Broker } from './broker';
import { attachCoap } from './coap-capture';
import type { CaptureHost } from './capture-host';
import { makeHttpServer } from './http-capture';
import { DEFAULT_SKEW_S } from './jwt-auth';
import { Listener, streamOpener, udpOpener, type ListenerName } from './listener';
import type { AuthLogEntry, MqttSession, SessionHost } from './mqtt-session';
import { Registry, toRegistry, type RegistryJson } from './registry';
import { generatedTlsIdentity, type TlsKeyType } from './tls-cert';
import { attachUdp } from './udp-capture';
import { UplinkLog, type Uplink, type UplinkPredicate } from './uplinks';

export { Registry, RegistryError, type RegistryJson, type Credential, type DeviceEntry, type Connector } from './registry';
export { checkDeviceJwt, type JwtCheck, type JwtCheckOptions, DEFAULT_SKEW_S, DEFAULT_MAX_LIFETIME_S } from './jwt-auth';
export { parseUdpDatagram, formatUdpDatagram } from './udp-framing';
export { uplinkToJsonLine, type Uplink, type Transport } from './uplinks';
export type { AuthLogEntry } from './mqtt-session';
export type { ListenerName } from './listener';

/** Options of startMockCloud; all optional. */
export interface MockCloudOptions {
  /** A registry object (DESIGN.md section 2 format) or a validated Registry. */
  registry?: RegistryJson | Registry;
  /** Or a registry file to load (validation errors name it). */
  registryFile?: string;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port per listener; 0 (the default) picks a free port, reported on the cloud object. */
  ports?: Partial<Record<ListenerName, number>>;
  /** TLS identity for MQTTS; by default a CA + leaf for localhost/127.0.0.1/::1 are generated. */
  tls?: { cert: string; key: string; ca?: string };
  /** Key type of the generated identity: 'ec' (P-256, the default) or 'rsa' (RSA-2048, for TLS stacks with only RSA key exchanges, such as Espruino's). */
  tlsKeyType?: TlsKeyType;
  /** Write the CA PEM here (clients verify the MQTTS server with it). */
  caFile?: string;
  /** Platform base URL for `aud`. Default: the registry's audienceBase, else https://akenza.io. */
  audienceBase?: string;
  /** Longest accepted token lifetime (exp - iat, or exp - now without iat). Default 86400. */
  maxLifetimeS?: number;
  /** Clock skew allowance for exp/iat and the expiry close. Default 600. */
  skewS?: number;
  /** Platform rule: kid required when a device has more than one key. Default true. */
  requireKidWithSeveralKeys?: boolean;
  /** Accept the HTTP uplink secret in the `secret` query parameter. Default false. */
  allowSecretInQuery?: boolean;
  /** Largest HTTP/CoAP/UDP body. Default 65536. */
  bodyLimit?: number;
  /** Largest MQTT packet. Default 262144. */
  maxPacketBytes?: number;
  /** Close a connection that sends no CONNECT within this. Default 10000. */
  connectTimeoutMs?: number;
  /** Keep about this many uplinks in `uplinks` (oldest dropped in chunks of a tenth). Default 10000. */
  maxUplinks?: number;
  /** Log lines (connects, refusals, faults); never secrets or tokens. Default: silent. */
  log?: (line: string) => void;
}

/** Fault injection (`cloud.faults`): drop connections, refuse CONNECTs, delay, withhold PUBACKs, stop listeners. */
export interface MockFaults {
  /** Closes every MQTT connection, or those of one device; returns how many were closed. */
  dropConnections(deviceId?: string): number;
  /** The next `n` CONNECTs get CONNACK `code` (default 5) whatever their credentials. */
  refuseNextConnects(n: number, code?: number): void;
  /** While true, QoS 1 PUBLISHes are recorded but not acknowledged. */
  withholdPubacks: boolean;
  /** Delay added to every broker response (CONNACK, PUBACK, SUBACK, ...) and HTTP/CoAP reply. */
  latencyMs: number;
  /** The mock's clock is Date.now() + clockOffsetMs (JWT checks, credential expiry, the expiry close). */
  clockOffsetMs: number;
  /** Stops a listener (MQTT ones drop their connections); the port is kept for startListener. */
  stopListener(name: ListenerName): Promise<void>;
  /** Listens again on the port it had. */
  startListener(name: ListenerName): Promise<void>;
  /** Back to no faults (offset 0, no latency, PUBACKs on, no refusals). */
  reset(): void;
}

/** A connected MQTT client, as sessions() and the connect/disconnect events report it. */
export interface SessionInfo {
  /** MQTT clientId (the deviceId for JWT auth). */
  clientId: string;
  /** Devices it may publish for: one for JWT auth, the connector's devices for secret auth. */
  deviceIds: string[];
  /** Plain MQTT or MQTT over TLS. */
  transport: 'mqtt' | 'mqtts';
  /** Device JWT or connector uplink secret. */
  auth: 'jwt' | 'secret';
  /** The connector, for secret auth. */
  connectorId?: string;
  /** Token exp (seconds since the epoch) for JWT sessions. */
  exp?: number;
  /** Its topic filters. */
  subscriptions: string[];
}

/** Events of `cloud.on()`. */
export type MockEvent = 'uplink' | 'connect' | 'disconnect' | 'authRejected';

/** A running mock cloud, from startMockCloud. */
export interface MockCloud {
  /** Interface the listeners are bound to. */
  readonly host: string;
  /** Plain MQTT port. */
  readonly mqttPort: number;
  /** MQTT over TLS port (the server certificate verifies with caPem). */
  readonly mqttsPort: number;
  /** HTTP `POST /v3/capture` port. */
  readonly httpPort: number;
  /** CoAP (UDP) port. */
  readonly coapPort: number;
  /** Raw UDP uplink port. */
  readonly udpPort: number;
  /** The CA certificate that signed the MQTTS server certificate. */
  readonly caPem: string;
  /** Accepted uplinks, oldest first (a live array). */
  readonly uplinks: Uplink[];
  /** Every MQTT CONNECT verdict (code 0 = accepted) and every HTTP/CoAP/UDP credential refusal (about the latest 10000). */
  readonly authLog: AuthLogEntry[];
  /** The registry in use. */
  readonly registry: Registry;
  /** Base URL expected in `aud`. */
  readonly audienceBase: string;
  /** Fault injection. */
  readonly faults: MockFaults;
  /** Replaces the registry; later connects and uplinks are checked against it. */
  setRegistry(input: RegistryJson | Registry): void;
  /** The mock's now (ms): Date.now() + faults.clockOffsetMs. */
  now(): number;
  /** Moves the mock's clock (same as `faults.clockOffsetMs = ms`), for expiry tests. */
  setClockOffset(ms: number): void;
  /** Publishes a downlink (objects as JSON) to every session of the device; returns how many got it. */
  sendDownlink(deviceId: string, payload: string | Uint8Array | object, opts?: { topic?: string; qos?: 0 | 1 }): number;
  /** The first accepted uplink matching `predicate` (recorded ones count); rejects after `timeoutMs` (default 5000). */
  waitForUplink(predicate?: UplinkPredicate, timeoutMs?: number): Promise<Uplink>;
  /** The connected MQTT sessions. */
  sessions(): SessionInfo[];
  /** Every accepted uplink, whatever the transport. */
  on(event: 'uplink', fn: (u: Uplink) => void): MockCloud;
  /** An MQTT session was accepted, or ended (with the reason). */
  on(event: 'connect' | 'disconnect', fn: (s: SessionInfo & { reason?: string }) => void): MockCloud;
  /** A refused credential: CONNACK other than 0, or an HTTP/CoAP/UDP 401/404. */
  on(event: 'authRejected', fn: (e: AuthLogEntry) => void): MockCloud;
  /** Removes a listener added with on(). */
  off(event: MockEvent, fn: (...args: never[]) => void): MockCloud;
  /** Stops every listener and frees the ports; idempotent. */
  close(): Promise<void>;
}

function info(s: MqttSession): SessionInfo {
  return { clientId: s.clientId, deviceIds: s.deviceIds, transport: s.transport, auth: s.auth!, connectorId: s.connectorId, exp: s.exp, subscriptions: [...s.subs.keys()] };
}

/** Starts the mock cloud; every listener on a free port unless `ports` names one. close() stops it. */
export async function startMockCloud(options: MockCloudOptions = {}): Promise<MockCloud> {
  let registry = options.registryFile !== undefined ? Registry.load(options.registryFile) : toRegistry(options.registry);
  const host = options.host || '127.0.0.1';
  const log = options.log || (() => undefined);
  const emitter = new EventEmitter();
  const uplinkLog = new UplinkLog(options.maxUplinks || 10000);
  const authLog: AuthLogEntry[] = [];
  const state = { refuseNext: { count: 0, code: 5 }, withholdPubacks: false, latencyMs: 0, clockOffsetMs: 0 };
  const now = () => Date.now() + state.clockOffsetMs;
  const audienceBase = () => (options.audienceBase || registry.audienceBase || DEFAULT_AUDIENCE_BASE).replace(/\/+$/, '');
  audienceFor('x', audienceBase()); // validates the base URL up front

  const recordAuth = (e: AuthLogEntry) => {
    authLog.push(e);
    // Trimmed in chunks (as the uplink log): splicing one entry per connect moves the whole array each time.
    if (authLog.length > 11000) authLog.splice(0, authLog.length - 10000);
    if (e.code !== 0) {
      log(e.transport + ': refused ' + (e.clientId !== undefined ? 'clientId ' + JSON.stringify(e.clientId) : 'device ' + JSON.stringify(e.deviceId || '')) + ' (' + e.code + '): ' + e.reason);
      emitter.emit('authRejected', e);
    }
  };
  const recordUplink = (u: Uplink) => {
    uplinkLog.add(u);
    emitter.emit('uplink', u);
  };

  const sessionHost: Omit<SessionHost, 'attach' | 'detach' | 'verdicts'> = {
    registry: () => registry,
    now,
    audienceBase,
    skewS: options.skewS === undefined ? DEFAULT_SKEW_S : options.skewS,
    maxLifetimeS: options.maxLifetimeS === undefined ? MAX_LIFETIME_S : options.maxLifetimeS,
    requireKidWithSeveralKeys: options.requireKidWithSeveralKeys !== false,
    connectTimeoutMs: options.connectTimeoutMs || 10000,
    maxPacketBytes: options.maxPacketBytes || 262144,
    faults: state,
    authLog: recordAuth,
    uplink: recordUplink,
    log,
  };
  const broker = new Broker(sessionHost, {
    // Log lines and event objects are built only for a log option or a listener (a connect costs less).
    connect: (s) => {
      if (options.log) log(s.transport + ': connected ' + JSON.stringify(s.clientId) + ' (' + s.auth + ')');
      if (emitter.listenerCount('connect') > 0) emitter.emit('connect', info(s));
    },
    disconnect: (s, reason) => {
      if (options.log) log(s.transport + ': disconnected ' + JSON.stringify(s.clientId) + ': ' + reason);
      if (emitter.listenerCount('disconnect') > 0) emitter.emit('disconnect', { ...info(s), reason });
    },
  });
  const captureHost: CaptureHost = {
    registry: () => registry,
    now,
    uplink: recordUplink,
    authLog: recordAuth,
    log,
    allowSecretInQuery: options.allowSecretInQuery === true,
    bodyLimit: options.bodyLimit || 65536,
    faults: state,
  };

  const tlsId = options.tls ? { ca: options.tls.ca || '', ...options.tls } : await generatedTlsIdentity(options.tlsKeyType);
  if (options.caFile && tlsId.ca) writeFileSync(options.caFile, tlsId.ca);

  const ports = options.ports || {};
  const listeners: { [k in ListenerName]: Listener } = {
    mqtt: new Listener('mqtt', host, ports.mqtt || 0, streamOpener(() => createNetServer((s) => broker.accept(s, 'mqtt')))),
    mqtts: new Listener('mqtts', host, ports.mqtts || 0, streamOpener(() => {
      const srv = createTlsServer({ cert: tlsId.cert, key: tlsId.key, minVersion: 'TLSv1.2' }, (s) => broker.accept(s, 'mqtts'));
      srv.on('tlsClientError', () => undefined);
      return srv;
    })),
    http: new Listener('http', host, ports.http || 0, streamOpener(() => makeHttpServer(captureHost))),
    coap: new Listener('coap', host, ports.coap || 0, udpOpener(attachCoap(captureHost))),
    udp: new Listener('udp', host, ports.udp || 0, udpOpener(attachUdp(captureHost))),
  };
  const all = Object.values(listeners);
  const started = await Promise.allSettled(all.map((l) => l.start()));
  const failed = started.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    await Promise.all(all.map((l) => l.stop()));
    const e = (started[failed] as PromiseRejectedResult).reason as Error;
    throw new Error('mock cloud: cannot listen for ' + all[failed].name + ' on ' + host + ':' + all[failed].port + ': ' + e.message);
  }

  const listenerOf = (name: ListenerName): Listener => {
    const l = listeners[name];
    if (!l) throw new Error('unknown listener ' + JSON.stringify(name) + ' (mqtt, mqtts, http, coap, udp)');
    return l;
  };
  const faults: MockFaults = {
    dropConnections: (deviceId) => broker.drop(deviceId),
    refuseNextConnects: (n, code = 5) => {
      if (!(n >= 0) || !(code >= 1 && code <= 255)) throw new Error('refuseNextConnects(n >= 0, code 1..255)');
      state.refuseNext = { count: n, code };
    },
    get withholdPubacks() {
      return state.withholdPubacks;
    },
    set withholdPubacks(v: boolean) {
      state.withholdPubacks = !!v;
    },
    get latencyMs() {
      return state.latencyMs;
    },
    set latencyMs(v: number) {
      state.latencyMs = Math.max(0, Number(v) || 0);
    },
    get clockOffsetMs() {
      return state.clockOffsetMs;
    },
    set clockOffsetMs(v: number) {
      state.clockOffsetMs = Number(v) || 0;
      broker.rescheduleExpiry();
    },
    stopListener: async (name) => {
      const l = listenerOf(name);
      if (name === 'mqtt' || name === 'mqtts') broker.drop(undefined, 'fault injection: ' + name + ' listener stopped', name);
      await l.stop();
      log(name + ': stopped (port ' + l.port + ' kept)');
    },
    startListener: async (name) => {
      const l = listenerOf(name);
      await l.start();
      log(name + ': listening again on ' + host + ':' + l.port);
    },
    reset: () => {
      state.refuseNext = { count: 0, code: 5 };
      state.withholdPubacks = false;
      state.latencyMs = 0;
      faults.clockOffsetMs = 0;
    },
  };

  let closing: Promise<void> | null = null;
  const cloud: MockCloud = {
    host,
    get mqttPort() {
      return listeners.mqtt.port;
    },
    get mqttsPort() {
      return listeners.mqtts.port;
    },
    get httpPort() {
      return listeners.http.port;
    },
    get coapPort() {
      return listeners.coap.port;
    },
    get udpPort() {
      return listeners.udp.port;
    },
    caPem: tlsId.ca,
    uplinks: uplinkLog.list,
    authLog,
    get registry() {
      return registry;
    },
    get audienceBase() {
      return audienceBase();
    },
    faults,
    setRegistry: (input) => {
      registry = toRegistry(input);
    },
    now,
    setClockOffset: (ms) => {
      faults.clockOffsetMs = ms;
    },
    sendDownlink: (deviceId, payload, opts = {}) => {
      const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload instanceof Uint8Array ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
      if (opts.topic !== undefined && (!opts.topic || /[#+\u0000]/.test(opts.topic))) throw new Error('downlink topic must be a non-empty sub-topic without wildcards');
      const n = broker.downlink(deviceId, bytes, opts.topic, opts.qos === 1 ? 1 : 0);
      log('downlink to ' + deviceId + (opts.topic ? '/' + opts.topic : '') + ': ' + n + ' session(s)');
      return n;
    },
    waitForUplink: (predicate, timeoutMs) => uplinkLog.wait(predicate, timeoutMs),
    sessions: () => broker.sessions.map(info),
    on(event: MockEvent, fn: (...args: never[]) => void) {
      emitter.on(event, fn as (...args: unknown[]) => void);
      return cloud;
    },
    off(event: MockEvent, fn: (...args: never[]) => void) {
      emitter.off(event, fn as (...args: unknown[]) => void);
      return cloud;
    },
    close: () => {
      if (!closing) {
        closing = (async () => {
          broker.drop(undefined, 'mock cloud closed');
          await Promise.all(all.map((l) => l.stop()));
          uplinkLog.cancelAll('mock cloud closed');
        })();
      }
      return closing;
    },
  };
  return cloud;
}
