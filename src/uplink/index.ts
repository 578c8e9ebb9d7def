// The secret-based uplink transports, built from a fallback entry.
import type { Platform } from '../platform';
import type { UplinkTransport } from './common';
import { createCoapUplink, type CoapUplinkOptions } from './coap/uplink';
import { createHttpUplink, type HttpUplinkOptions } from './http';
import { createUdpUplink } from './udp';

export type { UplinkRequest, UplinkResult, UplinkOutcome, UplinkTransport } from './common';
export { createHttpUplink } from './http';
export { createCoapUplink } from './coap/uplink';
export { createUdpUplink, frameUdpUplink } from './udp';

/** One fallback transport; `secret` defaults to the device's credentials.uplinkSecret. @inline */
export type FallbackEntry =
  | ({ type: 'http' } & Partial<HttpUplinkOptions>)
  | ({ type: 'coap' } & Partial<CoapUplinkOptions>)
  | { type: 'udp'; url: string; secret?: string; maxDatagramBytes?: number };

export type UplinkFactory = (platform: Platform, entry: FallbackEntry, secret: string) => UplinkTransport;

/**
 * Every transport, for platform.uplinks. A target short of code space lists only those it ships
 * (the device imports none of them itself, so a bundle carries only what its platform names).
 */
export const allUplinks: { [type: string]: UplinkFactory } = {
  http: (p, e, secret) => createHttpUplink(p, { url: e.url, secret, secretInQuery: (e as HttpUplinkOptions).secretInQuery, timeoutMs: (e as HttpUplinkOptions).timeoutMs, ca: (e as HttpUplinkOptions).ca }),
  coap: (p, e, secret) => {
    const c = e as Partial<CoapUplinkOptions>;
    return createCoapUplink(p, { url: e.url, secret, ackTimeoutMs: c.ackTimeoutMs, ackRandomFactor: c.ackRandomFactor, maxRetransmit: c.maxRetransmit, responseTimeoutMs: c.responseTimeoutMs, maxDatagramBytes: c.maxDatagramBytes });
  },
  udp: (p, e, secret) => createUdpUplink(p, { url: e.url as string, secret, maxDatagramBytes: (e as { maxDatagramBytes?: number }).maxDatagramBytes }),
};
