// One MQTT 3.1.1 connection of the mock broker: CONNECT auth (JWT or uplink secret), topic ACL,
// QoS 0/1, keepalive (1.5x), token expiry close, and disconnect on anything the platform refuses.
// A client cannot take the process down: the packet size is checked on the declared remaining length
// before the parser buffers anything, and every socket callback runs under a guard that closes (and
// logs) the one connection whose packet made a handler throw.
import type { Socket } from 'node:net';
import type { IConnectPacket, IPublishPacket, ISubscribePacket, IUnsubscribePacket, Packet } from 'mqtt-packet';
import { audienceFor } from '../jwt';
import type { InOrder } from './in-order';
import { checkDeviceJwtAsync } from './jwt-auth';
import { mqttPacket } from './peer-modules';
import { secretMatches, type Connector, type Registry } from './registry';
import { clip } from './sanitize';
import { filterInside, jwtGrant, secretGrant, topicMatches, under, validFilter, validTopicName, type TopicGrant } from './topics';
import { DEFAULT_TOPIC, makeUplink, type Transport, type Uplink } from './uplinks';

export interface AuthLogEntry {
  /** Mock clock, milliseconds since the epoch. */
  time: number;
  transport: Transport;
  /** CONNACK code for MQTT (0 accepted, 4, 5, or an injected code); HTTP/CoAP status for capture. */
  code: number;
  reason: string;
  clientId?: string;
  /** The MQTT username (a connector id or anything a JWT device sends); never a password. */
  username?: string;
  deviceId?: string;
  method: 'jwt' | 'secret' | 'fault';
}

/** What a session needs from the broker and the cloud around it. */
export interface SessionHost {
  registry(): Registry;
  now(): number;
  audienceBase(): string;
  skewS: number;
  maxLifetimeS: number;
  requireKidWithSeveralKeys: boolean;
  connectTimeoutMs: number;
  maxPacketBytes: number;
  faults: { refuseNext: { count: number; code: number }; withholdPubacks: boolean; latencyMs: number };
  authLog(e: AuthLogEntry): void;
  uplink(u: Uplink): void;
  log(line: string): void;
  /** Registers an accepted session; the broker closes an older one with the same clientId. */
  attach(s: MqttSession): void;
  /** False when a live session with this clientId belongs to another device or connector than `connectorId`'s (a secret login may not displace it). */
  mayTakeOver(clientId: string, connectorId: string): boolean;
  detach(s: MqttSession, reason: string): void;
  /** Applies CONNECT verdicts in CONNECT order. */
  verdicts: InOrder;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
/** Packets a client may pipeline behind its CONNECT before the verdict. */
const MAX_HELD = 1000;

/** A CONNECT verdict: code 0 accepts (by `connector`'s secret, or a JWT with `exp`). */
interface Verdict {
  code: number;
  reason: string;
  method: AuthLogEntry['method'];
  deviceId?: string;
  connector?: Connector;
  exp?: number;
  iat?: number;
  kid?: string;
}

/** CONNACK is four fixed bytes (MQTT 3.1.1 section 3.2): no generator call per connect. */
const connack = (code: number): Buffer => Buffer.from([0x20, 0x02, 0x00, code]);

export class MqttSession {
  clientId = '';
  auth: 'jwt' | 'secret' | null = null;
  /** Connector id for secret sessions. */
  connectorId?: string;
  grants: TopicGrant[] = [];
  /** Token exp (seconds) for JWT sessions. */
  exp?: number;
  /** Token iat (seconds, when it has one) and the kid of the key that verified it, for JWT sessions (the console shows them). */
  iat?: number;
  kid?: string;
  readonly subs = new Map<string, number>();
  closed = false;
  private connected = false;
  private readonly parser = mqttPacket().parser();
  private lastRx = Date.now();
  private keepaliveMs = 0;
  private keepTimer?: NodeJS.Timeout;
  private expiryTimer?: NodeJS.Timeout;
  private connectTimer?: NodeJS.Timeout;
  private nextId = 1;
  /** Packets received while the CONNECT verdict is pending (undefined when none is). */
  private held?: Packet[];
  /** The secret of a secret session, only to redact it from recorded topics. */
  private secret?: string;
  /** Fixed-header scan (scanHeaders): body bytes still to skip, header stage, remaining length so far. */
  private skip = 0;
  private stage: 'type' | 'length' = 'type';
  private remaining = 0;
  private lengthBytes = 0;

  constructor(readonly socket: Socket, readonly transport: 'mqtt' | 'mqtts', private readonly host: SessionHost) {
    socket.setNoDelay(true);
    this.parser.on('packet', (p: Packet) => {
      if (!this.closed) this.onPacket(p);
    });
    this.parser.on('error', (e: Error) => this.close('malformed packet: ' + e.message));
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      this.lastRx = Date.now();
      // Replies to one chunk's packets (a burst of PUBACKs) leave in one write.
      socket.cork();
      process.nextTick(() => socket.uncork());
      // The declared size is known after at most 5 header bytes: an oversized packet closes the
      // connection before the parser buffers its body, whatever the TCP splits.
      const tooLarge = this.scanHeaders(chunk);
      if (tooLarge) return this.close(tooLarge);
      this.guard(() => this.parser.parse(chunk));
    });
    // close() runs the disconnect listeners (user code): guarded like packet handlers.
    socket.on('error', () => this.guard(() => this.close('socket error')));
    socket.on('close', () => this.guard(() => this.close('connection closed by client')));
    this.connectTimer = setTimeout(() => this.guard(() => this.close('no CONNECT within ' + host.connectTimeoutMs + ' ms')), host.connectTimeoutMs);
  }

  /**
   * Runs `fn` (a socket or timer callback's work); an exception closes this connection and is logged,
   * never reaching the event loop (where it would end the mock's process, or the user's test runner).
   */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.host.log('mqtt: internal error on ' + (this.connected ? 'the session of ' + JSON.stringify(clip(this.clientId)) : 'an unauthenticated connection') + ', connection closed: ' + clip(msg, 200));
      this.close('internal error: ' + clip(msg, 200));
    }
  }

  /**
   * Walks the fixed headers in `chunk` (skipping bodies): a reason to close when a declared packet is
   * larger than maxPacketBytes or its remaining length is malformed, else null.
   */
  private scanHeaders(chunk: Uint8Array): string | null {
    const max = this.host.maxPacketBytes;
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, chunk.length - i);
        this.skip -= k;
        i += k;
        continue;
      }
      const b = chunk[i++];
      if (this.stage === 'type') {
        this.stage = 'length';
        this.remaining = 0;
        this.lengthBytes = 0;
        continue;
      }
      this.remaining += (b & 127) * 128 ** this.lengthBytes++;
      if (b & 128) {
        if (this.lengthBytes === 4) return 'malformed packet: remaining length longer than 4 bytes';
        continue;
      }
      const total = 1 + this.lengthBytes + this.remaining;
      if (total > max) return 'packet larger than ' + max + ' bytes (' + total + ' declared)';
      this.skip = this.remaining;
      this.stage = 'type';
    }
    return null;
  }

  /** Its topic filters, an uplink secret in them shown as ***. */
  shownSubscriptions(): string[] {
    return [...this.subs.keys()].map((f) => this.redact(f));
  }

  /** The device ids this session speaks for. */
  get deviceIds(): string[] {
    return this.grants.map((g) => g.deviceId);
  }

  send(p: Packet, then?: () => void): void {
    if (this.closed) return;
    this.sendBytes(mqttPacket().generate(p), then);
  }

  private sendBytes(buf: Uint8Array, then?: () => void): void {
    if (!then && this.host.faults.latencyMs === 0) {
      if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.write(buf);
      return;
    }
    const write = () => {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      this.socket.write(buf);
      if (then) then();
    };
    if (this.host.faults.latencyMs > 0) setTimeout(() => this.guard(write), this.host.faults.latencyMs);
    else write();
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.keepTimer);
    clearTimeout(this.expiryTimer);
    clearTimeout(this.connectTimer);
    this.socket.destroy();
    if (this.connected) this.host.detach(this, reason);
    else if (reason !== 'connection closed by client') this.host.log('mqtt: closed unauthenticated connection: ' + reason);
  }

  /** (Re)arms the expiry close from the token's exp + skew by the mock's clock (called again when the offset moves). */
  scheduleExpiry(): void {
    if (this.exp === undefined || this.closed) return;
    clearTimeout(this.expiryTimer);
    const deadline = (this.exp + this.host.skewS) * 1000;
    const wait = deadline - this.host.now();
    if (wait <= 0) {
      this.close('token expired (exp + ' + this.host.skewS + ' s skew passed)');
      return;
    }
    this.expiryTimer = setTimeout(() => this.guard(() => this.scheduleExpiry()), Math.min(wait, MAX_TIMER_MS));
  }

  private armKeepalive(): void {
    if (!this.keepaliveMs) return;
    const idle = Date.now() - this.lastRx;
    if (idle >= this.keepaliveMs) {
      this.close('keepalive timeout (nothing received for 1.5 x keepalive)');
      return;
    }
    this.keepTimer = setTimeout(() => this.guard(() => this.armKeepalive()), this.keepaliveMs - idle);
  }

  private onPacket(p: Packet): void {
    if (this.held) {
      if (this.held.length >= MAX_HELD) return this.close('more than ' + MAX_HELD + ' packets sent before the CONNACK');
      this.held.push(p);
      return;
    }
    if (!this.connected) {
      if (p.cmd !== 'connect') return this.close('first packet was ' + p.cmd + ', not CONNECT');
      return this.onConnect(p);
    }
    switch (p.cmd) {
      case 'publish':
        return this.onPublish(p);
      case 'subscribe':
        return this.onSubscribe(p);
      case 'unsubscribe':
        return this.onUnsubscribe(p);
      case 'pingreq':
        return this.send({ cmd: 'pingresp' });
      case 'puback':
        return;
      case 'disconnect':
        return this.close('client sent DISCONNECT');
      case 'connect':
        return this.close('second CONNECT on one connection');
      default:
        return this.close(p.cmd.toUpperCase() + ' is not accepted (QoS 2 flows are not offered)');
    }
  }

  private refuse(code: number, reason: string, method: AuthLogEntry['method'], c: IConnectPacket, deviceId?: string): void {
    this.host.authLog({ time: this.host.now(), transport: this.transport, code, reason, clientId: c.clientId, username: c.username, deviceId, method });
    // The socket ends after the CONNACK is flushed (and is destroyed if the client lingers).
    if (!this.closed) {
      this.sendBytes(connack(code), () => {
        this.socket.end();
        setTimeout(() => this.socket.destroy(), 2000).unref();
      });
    }
    this.closed = true;
    this.held = undefined;
    clearTimeout(this.connectTimer);
  }

  /**
   * CONNECT: the verdict is computed (the JWT signature on the thread pool) and applied in CONNECT
   * order across the broker; packets the client sends meanwhile are held, and dropped on refusal
   * (MQTT 3.1.1 section 3.1.4: nothing after a refused CONNECT is processed).
   */
  private onConnect(c: IConnectPacket): void {
    this.held = [];
    this.host.verdicts.run<Verdict>(
      (finish) => this.decide(c, finish),
      (v) => this.guard(() => this.apply(c, v)),
    );
  }

  private decide(c: IConnectPacket, finish: (v: Verdict) => void): void {
    const host = this.host;
    if (c.protocolVersion !== 4 && c.protocolVersion !== 3) {
      return finish({ code: 1, reason: 'protocol version ' + c.protocolVersion + ' is not offered (MQTT 3.1.1 only)', method: 'jwt' });
    }
    if (host.faults.refuseNext.count > 0) {
      host.faults.refuseNext.count--;
      return finish({ code: host.faults.refuseNext.code, reason: 'fault injection: refuseNextConnects', method: 'fault' });
    }
    const reg = host.registry();
    const password = c.password === undefined ? '' : Buffer.from(c.password).toString('utf8');
    const conn = c.username !== undefined ? reg.connectors.get(c.username) : undefined;
    const secretOk = conn !== undefined && secretMatches(conn, password);
    if (conn && (secretOk || !reg.device(c.clientId))) {
      if (!secretOk) return finish({ code: 4, reason: 'wrong uplink secret for connector ' + JSON.stringify(conn.id), method: 'secret' });
      // A secret speaks for its connector's devices only: it may not name (and so take over the session of) another device.
      if (reg.device(c.clientId) && !conn.devices.has(c.clientId))
        return finish({ code: 5, reason: 'clientId ' + JSON.stringify(clip(c.clientId)) + ' is a device connector ' + JSON.stringify(conn.id) + ' does not hold', method: 'secret', deviceId: c.clientId });
      return finish({ code: 0, reason: 'accepted (uplink secret of connector ' + conn.id + ')', method: 'secret', connector: conn });
    }
    if (!password) return finish({ code: 4, reason: 'no password (the JWT goes in the password field)', method: 'jwt', deviceId: c.clientId });
    const opts = {
      audience: audienceFor(c.clientId || '-', host.audienceBase()),
      nowMs: host.now(),
      skewS: host.skewS,
      maxLifetimeS: host.maxLifetimeS,
      requireKidWithSeveralKeys: host.requireKidWithSeveralKeys,
    };
    checkDeviceJwtAsync(reg.device(c.clientId), c.clientId, password, opts, (r) =>
      finish(r.ok ? { code: 0, reason: r.reason, method: 'jwt', deviceId: c.clientId, exp: r.exp, iat: r.iat, kid: r.kid } : { code: r.code, reason: r.reason, method: 'jwt', deviceId: c.clientId }),
    );
  }

  private apply(c: IConnectPacket, v: Verdict): void {
    const host = this.host;
    if (v.code !== 0) return this.refuse(v.code, v.reason, v.method, c, v.deviceId);
    const conn = v.connector;
    if (conn) {
      const clientId = c.clientId || 'mock-' + conn.id + '-' + Math.random().toString(36).slice(2, 10);
      // An uplink secret may take over a session of its own connector only (a reconnect), never a device's or another connector's.
      if (!this.closed && !host.mayTakeOver(clientId, conn.id))
        return this.refuse(5, 'clientId ' + JSON.stringify(clip(clientId)) + ' is in use by a session of another device or connector', 'secret', c);
      this.auth = 'secret';
      this.connectorId = conn.id;
      this.secret = conn.uplinkSecret;
      this.grants = [...conn.devices].map((id) => secretGrant(conn.uplinkSecret, id));
      this.clientId = clientId;
      host.authLog({ time: host.now(), transport: this.transport, code: 0, reason: v.reason, clientId: this.clientId, username: c.username, method: 'secret' });
    } else {
      this.auth = 'jwt';
      this.exp = v.exp;
      this.iat = v.iat;
      this.kid = v.kid;
      this.clientId = c.clientId;
      this.grants = [jwtGrant(c.clientId)];
      host.authLog({ time: host.now(), transport: this.transport, code: 0, reason: v.reason, clientId: c.clientId, username: c.username, deviceId: c.clientId, method: 'jwt' });
    }
    clearTimeout(this.connectTimer);
    // The client left while its CONNECT was being checked: the verdict is logged, nothing attaches.
    if (this.closed) return;
    this.connected = true;
    this.keepaliveMs = c.keepalive ? c.keepalive * 1500 : 0;
    host.attach(this);
    this.sendBytes(connack(0));
    this.armKeepalive();
    this.scheduleExpiry();
    const held = this.held || [];
    this.held = undefined;
    for (const p of held) if (!this.closed) this.guard(() => this.onPacket(p));
  }

  private redact(topic: string): string {
    return this.secret ? topic.split(this.secret).join('***') : topic;
  }

  private onPublish(p: IPublishPacket): void {
    if (p.qos === 2) return this.close('QoS 2 PUBLISH: QoS 2 is not offered');
    if (!validTopicName(p.topic)) return this.close('PUBLISH to an invalid topic name');
    let grant: TopicGrant | undefined;
    let sub: string | null = null;
    for (const g of this.grants) {
      for (const root of g.upRoots) {
        sub = under(root, p.topic);
        if (sub !== null) break;
      }
      if (sub !== null) {
        grant = g;
        break;
      }
    }
    if (!grant || sub === null) return this.close('PUBLISH outside its own uplink topics: ' + this.redact(p.topic));
    const raw = typeof p.payload === 'string' ? new Uint8Array(Buffer.from(p.payload)) : new Uint8Array(p.payload.buffer, p.payload.byteOffset, p.payload.length).slice();
    const time = this.host.now();
    this.host.uplink(makeUplink({ deviceId: grant.deviceId, transport: this.transport, topic: sub || DEFAULT_TOPIC, raw, time, auth: this.auth!, mqttTopic: this.redact(p.topic), qos: p.qos }));
    if (p.qos === 1 && !this.host.faults.withholdPubacks) {
      const id = p.messageId || 0;
      this.sendBytes(Buffer.from([0x40, 0x02, id >> 8, id & 255])); // PUBACK, fixed 4 bytes
    }
  }

  private onSubscribe(p: ISubscribePacket): void {
    // MQTT 3.1.1 section 3.8.3: a SUBSCRIBE with no topic filter is a protocol violation.
    if (!p.subscriptions || p.subscriptions.length === 0) return this.close('SUBSCRIBE with no topic filter (MQTT 3.1.1 section 3.8.3)');
    const granted: number[] = [];
    for (const s of p.subscriptions) {
      if (!validFilter(s.topic)) return this.close('SUBSCRIBE with an invalid filter');
      if (!this.grants.some((g) => g.downRoots.some((r) => filterInside(r, s.topic)))) return this.close('SUBSCRIBE outside its own downlink topics: ' + this.redact(s.topic));
      if (s.qos === 2) {
        granted.push(0x80); // QoS 2 is not offered: that filter is refused, the connection stays
        continue;
      }
      this.subs.set(s.topic, s.qos);
      granted.push(s.qos);
    }
    this.send({ cmd: 'suback', messageId: p.messageId, granted });
  }

  private onUnsubscribe(p: IUnsubscribePacket): void {
    // Section 3.10.3: an UNSUBSCRIBE must name at least one filter.
    if (!p.unsubscriptions || p.unsubscriptions.length === 0) return this.close('UNSUBSCRIBE with no topic filter (MQTT 3.1.1 section 3.10.3)');
    for (const t of p.unsubscriptions) this.subs.delete(t);
    this.send({ cmd: 'unsuback', messageId: p.messageId } as Packet);
  }

  /** Delivers a downlink for `deviceId` when a subscription matches; true when sent. */
  deliver(deviceId: string, subTopic: string | undefined, payload: Buffer, qos: 0 | 1): boolean {
    if (this.closed || !this.connected) return false;
    for (const g of this.grants) {
      if (g.deviceId !== deviceId) continue;
      for (const root of g.downRoots) {
        const topic = subTopic ? root + '/' + subTopic : root;
        let best = -1;
        for (const [f, q] of this.subs) if (topicMatches(f, topic) && q > best) best = q;
        if (best < 0) continue;
        const q = Math.min(best, qos) as 0 | 1;
        const pkt: IPublishPacket = { cmd: 'publish', topic, payload, qos: q, dup: false, retain: false };
        if (q === 1) {
          pkt.messageId = this.nextId;
          this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
        }
        this.send(pkt);
        return true;
      }
    }
    return false;
  }
}
