// HTTP uplinks with the connector's uplink secret (docs/protocol.md, "HTTP uplinks"):
// POST {base}/v3/capture?deviceId=..&topic=..[&timestamp=..], header `secret`, JSON object/array body.
// The secret goes in the query only when the user sets secretInQuery. Over platform.http when the
// target has one, else over the small HTTP/1.1 client in http1.ts. The status decides the outcome
// (both clients finish at the response head). close() aborts requests in flight where the client
// can (http1.ts, and a platform.http that returns an abort function, as Node's does).
import type { HttpRequest, HttpResponse, Platform } from '../platform';
import { buildQuery, classify, redact, splitUrl } from './common';
import { httpOverSocket } from './http1';
import type { HttpUplinkOptions, UplinkTransport } from './types';

/** An `http` fallback entry (`type: 'http'`). @inline */
export function createHttpUplink(platform: Platform, o: HttpUplinkOptions): UplinkTransport {
  const url = o.url || 'https://data-gateway.akenza.io';
  const u = splitUrl(url);
  if (!u || (u.scheme !== 'http' && u.scheme !== 'https') || u.query) throw new Error('fallback http url must look like https://host[:port][/path] (no query)');
  const base = url.replace(/\/$/, '') + (u.path && u.path !== '/' ? '' : '/v3/capture');
  const secret = o.secret;
  type Go = (r: HttpRequest, cb: (e: Error | null, res?: HttpResponse) => void) => unknown;
  const go: Go = platform.http ? platform.http : (r, cb) => httpOverSocket(platform, r, cb);
  let aborts: (() => void)[] = [];
  return {
    type: 'http',
    send(r, cb) {
      const headers: { [k: string]: string } = { 'content-type': 'application/json', accept: 'application/json' };
      if (!o.secretInQuery) headers.secret = secret;
      const q = buildQuery([['deviceId', r.deviceId], ['topic', r.topic], ['timestamp', r.timestamp], ['secret', o.secretInQuery ? secret : undefined]]);
      let abort: unknown = null;
      abort = go({ method: 'POST', url: base + '?' + q, headers, body: r.payload, timeoutMs: o.timeoutMs || 10000, ca: o.ca }, (err, res) => {
        const i = aborts.indexOf(abort as () => void);
        if (i >= 0) aborts.splice(i, 1);
        if (err || !res) return cb({ outcome: 'retry', message: redact('HTTP: ' + (err ? err.message.replace(/^HTTP: /, '') : 'no response'), secret) });
        cb(classify(Math.floor(res.status / 100), res.status, res.status === 401 || res.status === 403, 'HTTP'));
      });
      if (typeof abort === 'function') aborts.push(abort as () => void);
    },
    close() {
      const a = aborts;
      aborts = [];
      for (let i = 0; i < a.length; i++) a[i]();
    },
  };
}
