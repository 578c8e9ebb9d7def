// CoAP uplinks with the uplink secret (docs/protocol.md, "CoAP uplinks"): confirmable
// POST coap://{host}/v3/capture?deviceId=..&secret=..&topic=.. with Content-Format 50; 2.01 is success.
// Uri-Query values are sent as the RFC says (one option per parameter, not percent-encoded).
// An empty ACK means the server has the request: if its separate response is then lost, the
// uplink counts as delivered (unconfirmed) rather than go out again over another transport.
import type { Platform } from '../../platform';
import { classify, redact, splitUrl, tooBig } from '../common';
import type { CoapUplinkOptions, UplinkTransport } from '../types';
import { createCoapClient } from './client';
import { codeString, JSON_FORMAT, OPT, POST, stringOption, uintOption, type CoapOption } from './codec';

/** A `coap` fallback entry (`type: 'coap'`) with its RFC 7252 retransmission settings. @inline */
export function createCoapUplink(platform: Platform, o: CoapUplinkOptions): UplinkTransport {
  const u = splitUrl(o.url || 'coap://coap.akenza.io');
  if (!u || u.scheme !== 'coap' || u.query) throw new Error('fallback coap url must look like coap://host[:port][/path] (port 1-65535)');
  const port = u.port || 5683;
  const base: CoapOption[] = [];
  // a name, not an IPv4 or IPv6 address, goes in Uri-Host
  if (!/^[0-9.]+$/.test(u.host) && u.host.indexOf(':') < 0) base.push(stringOption(OPT.uriHost, u.host));
  const segs = (u.path && u.path !== '/' ? u.path : '/v3/capture').split('/');
  for (let i = 1; i < segs.length; i++) if (segs[i]) base.push(stringOption(OPT.uriPath, segs[i]));
  base.push(uintOption(OPT.contentFormat, JSON_FORMAT));
  base.push(uintOption(OPT.accept, JSON_FORMAT));
  const client = createCoapClient(platform, o);
  return {
    type: 'coap',
    send(r, cb) {
      const opts = base.slice();
      const q = [['deviceId', r.deviceId], ['secret', o.secret], ['topic', r.topic], ['timestamp', r.timestamp]];
      for (let i = 0; i < q.length; i++) if (q[i][1]) opts.push(stringOption(OPT.uriQuery, q[i][0] + '=' + q[i][1]));
      client.request({ host: u.host, port, code: POST, options: opts, payload: r.payload }, (err, res) => {
        if (err) {
          const message = redact(err.message, o.secret);
          if (err.acked) return cb({ outcome: 'ok', status: 'ack', message: message + ' after an empty ACK: delivered, unconfirmed' });
          return cb({ outcome: tooBig(err) ? 'rejected' : 'retry', message });
        }
        if (!res) return cb({ outcome: 'retry', message: 'CoAP: no response' });
        cb(classify(res.code >> 5, codeString(res.code), res.code === 129 || res.code === 131, 'CoAP'));
      });
    },
    close: client.close,
    settle: client.settle,
  };
}
