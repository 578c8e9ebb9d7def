// The outbox pump: publish() queues a message, pump() writes what the connection can take (QoS 1
// up to maxInflight, none during a refresh, nothing while the link holds more than maxUnsent bytes
// unsent), and MQTT packet ids are handed out here.
import { AkenzaError, fail, OPTION_INVALID } from '../errors';
import { isJsonContainer } from '../uplink/common';
import { utf8Encode } from '../utf8';
import { changed, delivered, later, type DeviceContext } from './context';
import type { Message } from './outbox';
import { checkSubTopic } from './topics';
import { checkKeys } from './known-keys';
import type { PublishOptions } from './api';

/** A free MQTT packet id (1-65535), marked in use. */
export function allocId(c: DeviceContext): number {
  for (let i = 0; i < 65535; i++) {
    c.nextId_ = (c.nextId_ % 65535) + 1;
    if (!c.idsInUse_[c.nextId_]) {
      c.idsInUse_[c.nextId_] = true;
      return c.nextId_;
    }
  }
  return fail(OPTION_INVALID, 'no free MQTT packet id');
}

/** Writes the queued messages MQTT can take now. */
export function pump(c: DeviceContext): void {
  // A message out on a fallback transport finishes first (its outcome decides whether it is resent).
  if (c.state_ !== 'connected' || !c.session_ || (c.fb_ && c.fb_.busy())) return;
  for (;;) {
    if (c.session_.unsent() > c.conn_.maxUnsent) return; // the link is full: onPuback(0) pumps again
    const canQos1 = !c.refreshing_ && c.outbox_.inflight() < c.maxInflight_;
    const msg = c.outbox_.nextUnsent(canQos1);
    if (!msg) return;
    const q = msg.qos;
    if (q && !msg.messageId) msg.messageId = allocId(c);
    c.session_.send({ cmd: 'publish', topic: msg.topic, payload: msg.payload, qos: q, retain: false, dup: q ? msg.sent : false, messageId: q ? msg.messageId : undefined });
    // QoS 0 too stays in the outbox, written, until its bytes have left (onPuback(0) in connection.ts)
    if (q && !msg.sent) changed(c); // stored as MQTT-only from now on
    msg.sent = true;
    if (!c.session_) return; // a write error closed it
  }
}

function toBytes(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === 'string') return utf8Encode(payload);
  if (payload === undefined) return fail(OPTION_INVALID, 'publish needs a payload');
  return utf8Encode(JSON.stringify(payload));
}

/** Checks and queues one uplink (throwing OPTION_INVALID); `done` settles its publish(). Then pumps. */
export function enqueue(c: DeviceContext, payload: unknown, opts: PublishOptions | undefined, done: (err: Error | null) => void): void {
  const po = opts || {};
  checkKeys(po, 'topic qos timestamp timeoutMs', '');
  if (po.timeoutMs !== undefined && !(po.timeoutMs > 0)) fail(OPTION_INVALID, 'timeoutMs must be a positive number of ms');
  const qos = po.qos === undefined ? 1 : po.qos;
  if (qos !== 0 && qos !== 1) fail(OPTION_INVALID, 'qos must be 0 or 1 (the platform offers no QoS 2)');
  if (po.topic !== undefined && !checkSubTopic(po.topic)) fail(OPTION_INVALID, 'topic must be a relative sub-topic without wildcards, e.g. "sensors/temp"');
  const bytes = toBytes(payload);
  const json = isJsonContainer(bytes);
  if (!c.mqttEnabled_ && !json) fail(OPTION_INVALID, 'HTTP/CoAP/UDP uplinks carry a JSON object or array only');
  const ts = po.timestamp === undefined ? undefined : typeof po.timestamp === 'number' ? new Date(po.timestamp).toISOString() : po.timestamp;
  const limits = c.limits_;
  if (bytes.length > limits.maxBytes) fail(OPTION_INVALID, 'payload of ' + bytes.length + ' bytes exceeds the outbox limit of ' + limits.maxBytes);
  const msg: Message = { topic: po.topic ? c.up_ + '/' + po.topic : c.up_, payload: bytes, qos, messageId: 0, sent: false, sub: po.topic || '', ts, json, done };
  const lost = c.outbox_.push(msg);
  for (let i = 0; i < lost.length; i++) {
    c.dropped_++; // its packet id stays reserved until the next connection: a late PUBACK must not ack another message
    const d = lost[i];
    const total = c.dropped_;
    later(() => {
      c.events_.emit('dropped', { topic: d.sub, bytes: d.payload.length, total }); // the sub-topic: the MQTT one may hold the secret
      d.done(new AkenzaError('MESSAGE_DROPPED', 'outbox full (' + limits.maxMessages + ' messages / ' + limits.maxBytes + ' bytes): oldest message dropped'));
    });
  }
  pump(c);
  if (c.fb_) c.fb_.pump();
}
