// The MQTT connection: get a token (waiting for clock trust), connect, handle the session's
// callbacks, and after a close either reconnect at once (a refresh) or back off.
import { AkenzaError, KEY_INVALID, OPTION_INVALID } from '../errors';
import type { PublishPacket } from '../mqtt/packets';
import { openSession, type CloseReason, type Session, type SessionOptions } from '../mqtt/session';
import { random, type TlsOptions } from '../platform';
import type { MqttOptions } from './types';
import { utf8Decode } from '../utf8';
import { mono, now } from './clock';
import { clearTimer, delivered, error, later, setState, setTimer, type DeviceContext, type Token } from './context';
import { armFallback, fallbackOff, fallbackOn, fallbackSettle } from './outage';
import { allocId, pump } from './pump';
import { checkClock, finishDrain, mint, refresh, scheduleRefresh, tokenUsable } from './token';
import type { Downlink } from './event-types';

/**
 * Gets a usable token (minting when needed, waiting while the clock is untrusted), then connects:
 * start(), a backoff's end, a refresh's reconnect. Secret credentials connect at once.
 */
export function connectWithToken(c: DeviceContext): void {
  if (!c.jwtMode_) return connect(c);
  const trusted = checkClock(c);
  if (c.state_ === 'stopped') return; // a clockState handler stopped the device
  if (!trusted) {
    setState(c, 'waiting-clock');
    fallbackOn(c, 'clock untrusted: cannot sign a token');
    if (c.platform_.syncTime) c.platform_.syncTime((err, t) => {
      if (!err && t) {
        // trusted time as an offset to the wall clock; the step check starts again from it
        c.offset_ = t - c.platform_.now();
        c.lastWall_ = now(c);
        c.lastMono_ = mono(c);
      }
    });
    setTimer(c, 'retry', c.clockCheckMs_, connectWithToken);
    return;
  }
  if (!tokenUsable(c, c.token_) && tokenUsable(c, c.next_)) {
    c.token_ = c.next_;
    c.next_ = null;
  }
  // a refresh short of memory (token.ts) mints here, after its disconnect
  const renew = c.renew_;
  if (renew) c.renew_ = false; // (set only when true: a property is a variable on Espruino)
  if (tokenUsable(c, c.token_) && !renew) return connect(c);
  setState(c, 'minting');
  const e = c.epoch_;
  mint(c, (t, err) => {
    if (c.state_ === 'stopped' || e !== c.epoch_) return;
    // the refresh's mint failed: the current token still serves
    if (!t && renew && tokenUsable(c, c.token_)) return connect(c);
    if (!t) {
      fallbackOn(c, 'cannot sign a token');
      // A key the signer refuses (its stored public key does not match) fails the same way every
      // time: no retry loop, which on Espruino would spend seconds of CPU per attempt. start() again after a fix.
      if (err && (err as { code?: string }).code === KEY_INVALID) return setState(c, 'fallback-only');
      return scheduleReconnect(c, false);
    }
    if (renew) c.events_.emit('tokenRefreshed', { previousExp: c.token_ ? c.token_.exp : null, exp: t.exp });
    c.token_ = t;
    // (a tokenRefreshed handler may have stopped the device: connect() checks)
    connect(c);
  });
}

/** CONNACK accepted: subscribe to downlinks, schedule the refresh, send what waits. */
function connected(c: DeviceContext, s: Session): void {
  setState(c, 'connected');
  c.connects_++;
  c.connectedAt_ = now(c);
  c.authFailures_ = 0;
  fallbackOff(c);
  c.outbox_.resetSent();
  for (const id in c.idsInUse_) delete c.idsInUse_[id];
  const msgs = c.outbox_.all();
  for (let i = 0; i < msgs.length; i++) if (msgs[i].messageId) c.idsInUse_[msgs[i].messageId] = true;
  s.send({ cmd: 'subscribe', messageId: allocId(c), subscriptions: [{ topic: c.down_ + '/#', qos: 1 }] });
  // A clock step while connecting dropped the token: refresh now rather than on a schedule.
  if (c.jwtMode_) {
    if (c.token_) scheduleRefresh(c);
    else later(() => refresh(c));
  }
  c.events_.emit('connected', { at: c.connectedAt_, tokenExp: c.token_ ? c.token_.exp : null });
  // A fallback send still out holds MQTT back: one the server already has can end now.
  fallbackSettle(c);
  pump(c);
}

/**
 * The device's MQTT session options, made once per device (each session's callbacks name their
 * session, so one object serves them all): the callbacks are methods (shared), and do nothing for
 * a session that is no longer the device's. The password is set before each connect.
 */
export class Conn implements SessionOptions {
  declare c: DeviceContext;
  declare host: string;
  declare port: number;
  declare tls: TlsOptions | undefined;
  declare clientId: string;
  declare username: string | undefined;
  declare password: string | undefined;
  declare keepaliveS: number;
  declare connackTimeoutMs: number;
  declare maxPacketSize: number;
  declare ws?: string;
  declare maxUnsent: number;
  constructor(c: DeviceContext, host: string, port: number, tls: TlsOptions | undefined, username: string | undefined, m: MqttOptions) {
    this.c = c;
    this.host = host;
    this.port = port;
    this.tls = tls;
    this.clientId = c.deviceId_;
    this.username = username;
    this.password = c.secret_;
    this.keepaliveS = m.keepaliveS === undefined ? 60 : m.keepaliveS;
    this.connackTimeoutMs = m.connackTimeoutMs || 10000;
    this.maxPacketSize = m.maxPacketSize || 16384;
    this.maxUnsent = m.maxUnsentBytes || 4096;
  }
  /** The device's context while `s` is its session, else null. */
  live(s: Session): DeviceContext | null {
    return this.c.session_ === s ? this.c : null;
  }
  onConnected(present: boolean, s: Session): void {
    const c = this.live(s);
    if (c) connected(c, s);
  }
  /** A PUBACK, or (id 0) the bytes written so far left: every QoS 0 message written is sent. */
  onPuback(id: number, s: Session): void {
    const c = this.live(s);
    if (!c) return;
    for (let m = c.outbox_.ack(id); m; m = id ? null : c.outbox_.ack(0)) {
      delete c.idsInUse_[id];
      delivered(c, 'mqtt', m);
    }
    if (c.draining_ && c.outbox_.inflight() === 0) finishDrain(c);
    else pump(c);
  }
  onSuback(id: number, granted: number[], s: Session): void {
    const c = this.live(s);
    if (!c) return;
    delete c.idsInUse_[id];
    if (granted[0] === 0x80) error(c, new AkenzaError(OPTION_INVALID, 'the broker refused the downlink subscription'));
  }
  onMessage(p: PublishPacket, s: Session): void {
    const c = this.live(s);
    if (!c) return;
    const down = c.down_;
    if (p.topic !== down && p.topic.indexOf(down + '/') !== 0) return;
    const sub = p.topic.slice(down.length + 1);
    // In secret mode the topic holds the secret: events show it as ***.
    const d: Downlink = { topic: c.jwtMode_ ? p.topic : '/down/***/id/' + c.deviceId_ + (sub ? '/' + sub : ''), subTopic: sub, payload: p.payload };
    try {
      d.text = utf8Decode(p.payload);
    } catch (e) {} // binary payload: no text
    c.events_.emit('downlink', d);
  }
  onClosed(r: CloseReason, s: Session): void {
    const c = this.live(s);
    if (!c) return;
    c.session_ = null;
    closed(c, r);
  }
}

/** Opens one MQTT session. */
function connect(c: DeviceContext): void {
  if (c.state_ === 'stopped' || c.session_) return;
  setState(c, 'connecting');
  // Some stacks only send a password together with a username, so JWT mode sends one too.
  if (c.jwtMode_) c.conn_.password = (c.token_ as Token).value;
  c.session_ = openSession(c.platform_, c.conn_);
}

/** The session closed: a refresh reconnects at once, anything else backs off (CONNACK 4/5 counted). */
function closed(c: DeviceContext, r: CloseReason): void {
  clearTimer(c, 'refresh');
  clearTimer(c, 'drain');
  // the backoff starts again after a connection that lasted
  if (c.state_ === 'connected' && now(c) - c.connectedAt_ >= c.backoff_.resetAfterMs) c.attempt_ = 0;
  const planned = c.reconnectNow_;
  c.refreshing_ = c.draining_ = c.reconnectNow_ = false;
  if (c.state_ === 'stopped') return;
  c.events_.emit('disconnected', { reason: r.reason, message: r.message, returnCode: r.returnCode, planned });
  armFallback(c);
  if (planned) return connectWithToken(c); // the refresh itself: straight back with the new token, no backoff
  const refused = r.returnCode === 4 || r.returnCode === 5;
  if (refused) {
    c.authFailures_++;
    c.token_ = null; // one fresh token for the next try; a second refusal backs off at least authFloorMs
    c.next_ = null;
    c.events_.emit('authRejected', { transport: 'mqtt', returnCode: r.returnCode as number, attempts: c.authFailures_ });
    if (c.authFailures_ > 1) fallbackOn(c, 'MQTT refused the credentials (CONNACK ' + r.returnCode + ')');
  }
  scheduleReconnect(c, refused && c.authFailures_ > 1);
}

/** Backs off, then token and connect again. */
export function scheduleReconnect(c: DeviceContext, authFloor: boolean): void {
  if (c.state_ === 'stopped') return;
  setState(c, 'backoff');
  // full jitter under a ceiling that doubles per attempt; after a repeated refusal at least authFloorMs
  const p = c.backoff_;
  const d = Math.floor(random(c.platform_) * Math.min(p.capMs, p.baseMs * Math.pow(2, Math.min(c.attempt_++, 30))));
  setTimer(c, 'retry', authFloor ? Math.max(p.authFloorMs, d) : d, connectWithToken);
}
