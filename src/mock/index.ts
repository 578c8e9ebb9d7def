// akenza-device/mock: startMockCloud() wires the registry (watched when it is a file), the MQTT broker
// (TCP, TLS, WebSocket, secure WebSocket), HTTP, CoAP and UDP capture, the TLS identity (generated, or
// kept in a state dir), the admin API, the uplink and auth records, and fault injection into one
// object with close().
/**
 * The mock cloud for tests, CI and boards on the bench: `startMockCloud()` (auth-validating MQTT broker over TCP, TLS, ws and wss, HTTP, CoAP and UDP capture, an admin API), its registry and the platform's JWT check.
 * @module akenza-device/mock
 */
import { EventEmitter } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { audienceFor, DEFAULT_AUDIENCE_BASE, MAX_LIFETIME_S } from '../jwt';
import { Broker, type SessionEvents } from './broker';
import { attachCoap } from './coap-capture';
import type { CaptureHost } from './capture-host';
import { makeHttpServer } from './http-capture';
import { DEFAULT_SKEW_S } from './jwt-auth';
import { Listener, streamOpener, udpOpener, type ListenerName } from './listener';
import type { AuthLogEntry, MqttSession, SessionHost } from './mqtt-session';
import { Registry, toRegistry, type RegistryJson } from './registry';
import { generatedTlsIdentity, stateDirTlsIdentity, type TlsIdentity, type TlsKeyType } from './tls-cert';
import { makeAdminServer } from './admin';
import { tlsNamesFor } from './addresses';
import { fileStamp, watchRegistry } from './registry-watch';
import { ensureStateDir, keptAdminToken, newAdminToken, STATE_FILES, stateRegistryFile } from './state-dir';
import { makeWsServer, tlsFailureLogger } from './ws';
import { logCoapRefusals, logHttpRefusals } from './refusal-log';
import { attachUdp } from './udp-capture';
import { AuthRecords } from './auth-log';
import { escapeControls } from './sanitize';
import { checkMockPeers } from './peers';
import { ConsoleState, type ConsoleLimits } from './console/state';
import { consoleRoutes } from './console/routes';
import type { SessionView } from './console/devices';
import { DEFAULT_MAX_UPLINK_BYTES, uplinkToJsonLine, UplinkLog, type Uplink, type UplinkPredicate } from './uplinks';

export { Registry, RegistryError, type RegistryJson, type Credential, type DeviceEntry, type Connector } from './registry';
export { checkDeviceJwt, type JwtCheck, type JwtCheckOptions, DEFAULT_SKEW_S, DEFAULT_MAX_LIFETIME_S } from './jwt-auth';
export { parseUdpDatagram, formatUdpDatagram } from './udp-framing';
export { uplinkToJsonLine, type Uplink, type Transport } from './uplinks';
export type { AuthLogEntry } from './mqtt-session';
export type { ListenerName } from './listener';
export { MockDependencyError, MOCK_PEERS, type MockPeer } from './peers';
export { MockSetupError } from './setup-error';
export { DEFAULT_CONSOLE_LIMITS, type ConsoleLimits } from './console/state';

/** Options of startMockCloud; all optional. */
export interface MockCloudOptions {
  /** A registry object (the registry file's format: docs/protocol.md, "The mock cloud's registry file") or a validated Registry. */
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
  /** More DNS names or IP addresses for the generated server certificate (it always covers localhost, 127.0.0.1, ::1 and `host`, or every interface address for 0.0.0.0 / ::). */
  tlsNames?: string[];
  /**
   * A directory kept between runs (created on first use): the CA (ca.pem, ca.key; rsa-ca.* for 'rsa'), the server
   * certificate (re-issued from that CA when a name is not covered), the registry (registry.json, unless
   * `registry`/`registryFile` is given) and the admin token. Boards keep trusting the CA after a restart.
   */
  stateDir?: string;
  /** Reload `registryFile` when it changes (a broken file is logged and the last good registry kept). Default true. */
  watchRegistry?: boolean;
  /**
   * The admin HTTP API (`POST /admin/downlink`, `GET /admin/devices`, `GET /admin/uplinks`) on its own port,
   * with a bearer token: `token`, else the state dir's admin-token file, else a random one (`cloud.adminToken`).
   * Off unless given. Host default 127.0.0.1, port default 0 (a free port).
   */
  admin?: {
    host?: string;
    port?: number;
    token?: string;
    /**
     * The web console on the admin port (`GET /`, behind the same token: open `consoleUrl` + `?token=` once
     * and the browser keeps an HttpOnly cookie). On by default with the admin API; false turns it off;
     * an object changes its bounds (feed size, event-stream clients, queued bytes per client).
     */
    console?: boolean | Partial<ConsoleLimits>;
  };
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
  /** And at most about this many bytes of them: payload bytes, 25x for JSON payloads up to 4 KiB (their parsed tree is kept), 256 per uplink. Default 64 MiB. */
  maxUplinkBytes?: number;
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
  /** Plain MQTT or MQTT over TLS (over WebSocket too: see `websocket`). */
  transport: 'mqtt' | 'mqtts';
  /** 'ws' or 'wss' for MQTT over WebSocket (transport is then 'mqtt' or 'mqtts'). */
  websocket?: 'ws' | 'wss';
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
  /** MQTT over WebSocket port (path /mqtt). */
  readonly wsPort: number;
  /** MQTT over secure WebSocket port (path /mqtt; the same certificate as MQTTS). */
  readonly wssPort: number;
  /** Admin API port, 0 when the admin API is off. */
  readonly adminPort: number;
  /** The web console's URL (`http://HOST:ADMINPORT/`, without the token), undefined when it is off. A browser opens it once with `?token=` + the admin token. */
  readonly consoleUrl: string | undefined;
  /** Admin API bearer token, undefined when the admin API is off. */
  readonly adminToken?: string;
  /** The names the generated server certificate covers (empty with the `tls` option). */
  readonly tlsNames: string[];
  /** A file holding the CA certificate: the `caFile` option, else the state dir's CA; undefined when neither. */
  readonly caFile?: string;
  /** The registry file in use (reloaded on change), when there is one. */
  readonly registryFile?: string;
  /** The CA certificate that signed the MQTTS server certificate. */
  readonly caPem: string;
  /** Accepted uplinks, oldest first (a live array). */
  readonly uplinks: Uplink[];
  /** Every MQTT CONNECT verdict (code 0 = accepted) and every HTTP/CoAP/UDP credential refusal (about the latest 10000; clientId, username and deviceId clipped to 128 characters, reasons to 512). */
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

/** MQTT sessions that came over WebSocket, by scheme. */
const websocketOf = new WeakMap<MqttSession, 'ws' | 'wss'>();
/** The listener a session came through: mqtt, mqtts, ws or wss. */
const labelOf = (s: MqttSession): string => websocketOf.get(s) || s.transport;

/** A session as the console sees it (listener label, token exp, iat and kid; never the token). */
const view = (s: MqttSession): SessionView => ({ clientId: s.clientId, deviceIds: s.deviceIds, transport: labelOf(s), auth: s.auth!, exp: s.exp, iat: s.iat, kid: s.kid });

function info(s: MqttSession): SessionInfo {
  const i: SessionInfo = { clientId: s.clientId, deviceIds: s.deviceIds, transport: s.transport, auth: s.auth!, connectorId: s.connectorId, exp: s.exp, subscriptions: s.shownSubscriptions() };
  const ws = websocketOf.get(s);
  if (ws) i.websocket = ws;
  return i;
}

/** http://HOST:PORT/ of a listener (an IPv6 host in brackets). */
const httpUrl = (l: Listener): string => 'http://' + (l.host.indexOf(':') >= 0 ? '[' + l.host + ']' : l.host) + ':' + l.port + '/';

/** The broker's session events, also told to the console when there is one. */
function withConsole(c: ConsoleState | undefined, events: SessionEvents): SessionEvents {
  if (!c) return events;
  return {
    connect: (s) => {
      events.connect(s);
      c.onConnect(view(s));
    },
    disconnect: (s, reason) => {
      events.disconnect(s, reason);
      c.onDisconnect(view(s), reason);
    },
  };
}

/** Where HTTP and CoAP refusal lines go: the log, and the console's feed; undefined when neither is there. */
function refusalSink(log: ((line: string) => void) | undefined, c: ConsoleState | undefined): ((line: string) => void) | undefined {
  if (!log && !c) return undefined;
  return (line) => {
    if (log) log(line);
    if (c) c.onRefusalLine(line);
  };
}

/** The web console's model (on with the admin API unless turned off), fed by the same events as the records. */
function makeConsole(options: MockCloudOptions, registry: () => Registry, now: () => number, log: (line: string) => void): ConsoleState | undefined {
  const c = options.admin ? options.admin.console : false;
  return options.admin && c !== false ? new ConsoleState(registry, now, typeof c === 'object' ? c : {}, log) : undefined;
}

/** GET /admin/devices: every registered device with its sessions, and the connectors. */
function adminDevices(registry: Registry, broker: Broker): object {
  return {
    devices: [...registry.devices.values()].map((d) => {
      const sessions = broker.sessions.filter((s) => s.deviceIds.includes(d.deviceId)).map(info);
      return { deviceId: d.deviceId, kids: d.credentials.map((c) => c.kid), connected: sessions.length > 0, sessions };
    }),
    connectors: [...registry.connectors.values()].map((c) => ({ id: c.id, devices: [...c.devices] })),
  };
}

/** GET /admin/uplinks: the newest `limit` (of one device when given), as their JSON-lines objects. */
function adminUplinks(uplinkLog: UplinkLog, deviceId: string | undefined, limit: number): unknown[] {
  const list = deviceId === undefined ? uplinkLog.list : uplinkLog.list.filter((u) => u.deviceId === deviceId);
  return list.slice(-limit).map((u) => JSON.parse(uplinkToJsonLine(u)) as unknown);
}

/**
 * Starts the mock cloud; every listener on a free port unless `ports` names one. close() stops it.
 * Rejects with MockDependencyError (before opening anything) when mqtt-packet or ws, the mock's optional
 * peer dependencies, is not installed.
 */
export async function startMockCloud(options: MockCloudOptions = {}): Promise<MockCloud> {
  checkMockPeers(); // before anything is opened or written
  if (options.stateDir) ensureStateDir(options.stateDir);
  const registryFile = options.registryFile !== undefined ? options.registryFile : options.stateDir && options.registry === undefined ? stateRegistryFile(options.stateDir) : undefined;
  // Stamped before the load: a change made after it is reloaded, however soon it comes.
  const registryStamp = registryFile !== undefined ? fileStamp(registryFile) : '';
  let registry = registryFile !== undefined ? Registry.load(registryFile) : toRegistry(options.registry);
  const host = options.host || '127.0.0.1';
  // Every line with control characters escaped: clients choose topics, ids and reasons' contents.
  const userLog = options.log;
  const log = userLog ? (line: string) => userLog(escapeControls(line)) : () => undefined;
  const emitter = new EventEmitter();
  const uplinkLog = new UplinkLog(options.maxUplinks || 10000, options.maxUplinkBytes || DEFAULT_MAX_UPLINK_BYTES);
  const authRecords = new AuthRecords();
  const authLog = authRecords.list;
  const state = { refuseNext: { count: 0, code: 5 }, withholdPubacks: false, latencyMs: 0, clockOffsetMs: 0 };
  const now = () => Date.now() + state.clockOffsetMs;
  const audienceBase = () => (options.audienceBase || registry.audienceBase || DEFAULT_AUDIENCE_BASE).replace(/\/+$/, '');
  audienceFor('x', audienceBase()); // validates the base URL up front

  const consoleState = makeConsole(options, () => registry, now, log);
  const recordAuth = (entry: AuthLogEntry) => {
    const e = authRecords.add(entry); // identifiers clipped, bounded by count and characters
    if (consoleState) consoleState.onAuth(e);
    if (e.code !== 0) {
      // HTTP and CoAP refusals are logged from their replies (refusal-log.ts), 400s and 415s included.
      if (e.transport !== 'http' && e.transport !== 'coap') log(e.transport + ': refused ' + (e.clientId !== undefined ? 'clientId ' + JSON.stringify(e.clientId) : 'device ' + JSON.stringify(e.deviceId || '')) + ' (' + e.code + '): ' + e.reason);
      emitter.emit('authRejected', e);
    }
  };
  const recordUplink = (u: Uplink) => {
    uplinkLog.add(u);
    if (consoleState) consoleState.onUplink(u);
    emitter.emit('uplink', u);
  };

  const sessionHost: Omit<SessionHost, 'attach' | 'detach' | 'verdicts' | 'mayTakeOver'> = {
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
  const broker = new Broker(sessionHost, withConsole(consoleState, {
    // Log lines and event objects are built only for a log option or a listener (a connect costs less).
    connect: (s) => {
      if (options.log) log(labelOf(s) + ': connected ' + JSON.stringify(s.clientId) + ' (' + s.auth + ')');
      if (emitter.listenerCount('connect') > 0) emitter.emit('connect', info(s));
    },
    disconnect: (s, reason) => {
      if (options.log) log(labelOf(s) + ': disconnected ' + JSON.stringify(s.clientId) + ': ' + reason);
      if (emitter.listenerCount('disconnect') > 0) emitter.emit('disconnect', { ...info(s), reason });
    },
  }));
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

  let tlsId: TlsIdentity;
  let caFile: string | undefined;
  const tlsNames = options.tls ? [] : tlsNamesFor(host, options.tlsNames);
  if (options.tls) {
    // A given CA goes into the chain (Moddable checks names only with the whole chain) unless it is there.
    const ca = options.tls.ca || '';
    tlsId = { cert: ca && options.tls.cert.indexOf(ca.trim()) < 0 ? options.tls.cert.trimEnd() + '\n' + ca : options.tls.cert, key: options.tls.key, ca };
  } else if (options.stateDir) {
    const kept = await stateDirTlsIdentity(options.stateDir, options.tlsKeyType || 'ec', tlsNames);
    tlsId = kept;
    caFile = kept.caFile;
    if (kept.action === 'created') log('tls: made a new CA ' + kept.caFile + ' (give boards this file; it is kept in the state dir)');
    else if (kept.action === 'reissued') log('tls: server certificate re-issued from the kept CA ' + kept.caFile + ' for ' + tlsNames.join(', '));
  } else tlsId = await generatedTlsIdentity(options.tlsKeyType, tlsNames);
  if (options.caFile && tlsId.ca) {
    writeFileSync(options.caFile, tlsId.ca);
    caFile = options.caFile;
  }

  const ports = options.ports || {};
  const acceptWs = (stream: Socket, scheme: 'ws' | 'wss') => {
    websocketOf.set(broker.accept(stream, scheme === 'ws' ? 'mqtt' : 'mqtts'), scheme);
  };
  const listeners: { [k in ListenerName]: Listener } = {
    mqtt: new Listener('mqtt', host, ports.mqtt || 0, streamOpener(() => createNetServer((s) => broker.accept(s, 'mqtt')))),
    mqtts: new Listener('mqtts', host, ports.mqtts || 0, streamOpener(() => {
      const srv = createTlsServer({ cert: tlsId.cert, key: tlsId.key, minVersion: 'TLSv1.2' }, (s) => broker.accept(s, 'mqtts'));
      srv.on('tlsClientError', tlsFailureLogger('mqtts', log));
      return srv;
    })),
    ws: new Listener('ws', host, ports.ws || 0, streamOpener(() => makeWsServer({ name: 'ws', log, maxPayload: sessionHost.maxPacketBytes + 16, accept: (s) => acceptWs(s, 'ws') }))),
    wss: new Listener('wss', host, ports.wss || 0, streamOpener(() => makeWsServer({ name: 'wss', log, tls: tlsId, maxPayload: sessionHost.maxPacketBytes + 16, accept: (s) => acceptWs(s, 'wss') }))),
    http: new Listener('http', host, ports.http || 0, streamOpener(() => {
      const srv = makeHttpServer(captureHost);
      logHttpRefusals(srv, refusalSink(options.log ? log : undefined, consoleState)); // every 4xx, once (not through recordAuth)
      return srv;
    })),
    coap: new Listener('coap', host, ports.coap || 0, udpOpener((sock) => {
      logCoapRefusals(sock, refusalSink(options.log ? log : undefined, consoleState)); // every 4.xx, once (not through recordAuth)
      return attachCoap(captureHost)(sock);
    })),
    udp: new Listener('udp', host, ports.udp || 0, udpOpener(attachUdp(captureHost))),
  };
  let adminToken: string | undefined;
  let admin: Listener | undefined;
  if (options.admin) {
    adminToken = options.admin.token || (options.stateDir ? keptAdminToken(join(options.stateDir, STATE_FILES.adminToken)) : newAdminToken());
    const token = adminToken;
    const downlink = (deviceId: string, payload: Buffer, topic: string | undefined, qos: 0 | 1) => cloud.sendDownlink(deviceId, payload, { topic, qos });
    admin = new Listener('admin', options.admin.host || '127.0.0.1', options.admin.port || 0, streamOpener(() => makeAdminServer({
      token,
      bodyLimit: options.bodyLimit || 65536,
      log,
      console: consoleState && consoleRoutes({ token, bodyLimit: options.bodyLimit || 65536, log, downlink }, consoleState),
      refused: consoleState && ((what, status, why) => consoleState.onRefused(what, status, why)),
      downlink,
      devices: () => adminDevices(registry, broker),
      uplinks: (deviceId, limit) => adminUplinks(uplinkLog, deviceId, limit),
    })));
  }
  const all: Listener[] = Object.values(listeners);
  if (admin) all.push(admin);
  const started = await Promise.allSettled(all.map((l) => l.start()));
  const failed = started.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    await Promise.all(all.map((l) => l.stop()));
    const e = (started[failed] as PromiseRejectedResult).reason as NodeJS.ErrnoException;
    const l = all[failed];
    const why = e.code === 'EADDRINUSE' ? ' (another program, or another mock, uses that port: choose another, or 0 for any free port)' : e.code === 'EACCES' ? ' (ports below 1024 need privileges: choose 1024 or above)' : '';
    // code and syscall kept: callers (the CLI) tell a port in use from a bug.
    throw Object.assign(new Error('mock cloud: cannot listen for ' + l.name + ' on ' + l.host + ':' + l.port + ': ' + e.message + why), { code: e.code, syscall: e.syscall || 'listen', listener: l.name, port: l.port });
  }
  const adminUrlFile = options.stateDir && admin ? join(options.stateDir, STATE_FILES.adminUrl) : undefined;
  if (adminUrlFile && admin) writeFileSync(adminUrlFile, httpUrl(admin).slice(0, -1) + '\n');
  const stopWatch = registryFile !== undefined && options.watchRegistry !== false ? watchRegistry(registryFile, registryStamp, (r) => (registry = r), log) : undefined;

  const listenerOf = (name: ListenerName): Listener => {
    const l = listeners[name];
    if (!l) throw new Error('unknown listener ' + JSON.stringify(name) + ' (mqtt, mqtts, ws, wss, http, coap, udp)');
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
      if (name === 'mqtt' || name === 'mqtts' || name === 'ws' || name === 'wss') for (const s of broker.sessions) if (labelOf(s) === name) s.close('fault injection: ' + name + ' listener stopped');
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
    get wsPort() {
      return listeners.ws.port;
    },
    get wssPort() {
      return listeners.wss.port;
    },
    get adminPort() {
      return admin ? admin.port : 0;
    },
    consoleUrl: admin && consoleState ? httpUrl(admin) : undefined,
    adminToken,
    tlsNames,
    caFile,
    registryFile,
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
      if (consoleState) consoleState.onDownlink(deviceId, opts.topic, bytes, n);
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
          if (stopWatch) stopWatch();
          if (adminUrlFile) rmSync(adminUrlFile, { force: true });
          if (consoleState) consoleState.close();
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
