// The secret-based uplink transports, built from a fallback entry.
import type { UplinkFactory } from '../platform';
import { createCoapUplink } from './coap/uplink';
import { createHttpUplink } from './http';
import type { CoapUplinkOptions, HttpUplinkOptions } from './types';
import { createUdpUplink } from './udp';

export type { UplinkRequest, UplinkResult, UplinkOutcome, UplinkTransport, FallbackEntry } from './types';
export type { UplinkFactory } from '../platform';
export { createHttpUplink } from './http';
export { createCoapUplink } from './coap/uplink';
export { createUdpUplink, frameUdpUplink } from './udp';

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
