// The console's HTTP routes on the admin port, and their auth: the admin token as a bearer header, or
// a browser's HttpOnly SameSite=Strict cookie. A browser gets the cookie by opening `/?token=TOKEN`
// once: the reply sets it and redirects to the same path without the token, so the token never sits
// in the address bar, the history or a page (the cookie holds a random value of its own, not the token).
//   GET  /                         the page (a static snapshot; the script then goes live)
//   GET  /console.js, /console.css the page's script and style (nothing from elsewhere: strict CSP)
//   GET  /console/events           Server-Sent Events: a snapshot, then a batch of news per period
//   GET  /console/state            the snapshot as JSON
//   GET  /console/timeline?deviceId=ID   a device's timeline marks
//   POST /console/downlink         JSON or form {deviceId, topic?, qos?, payload}
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDownlink } from '../admin';
import { readBoundedBody } from '../http-body';
import { sameSecret } from '../same-secret';
import { CONSOLE_CSS, CONSOLE_JS, renderPage, renderRefusalPage } from './page';
import type { ConsoleState } from './state';

export const COOKIE = 'akenza_console';

export interface ConsoleHost {
  token: string;
  bodyLimit: number;
  log(line: string): void;
  downlink(deviceId: string, payload: Buffer, topic: string | undefined, qos: 0 | 1): number;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Everything the page uses comes from this port; no inline script or style.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

function reply(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: { [k: string]: string } = {}): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

const PATHS = new Set(['/', '/index.html', '/console.js', '/console.css', '/console/events', '/console/state', '/console/timeline', '/console/downlink', '/favicon.ico']);

/** The console's request handler: false for paths it does not serve (the admin API's). */
export function consoleRoutes(h: ConsoleHost, state: ConsoleState): (req: IncomingMessage, res: ServerResponse, path: string) => boolean {
  // What the cookie holds: random per mock run (a restart signs every page out).
  const cookieValue = randomBytes(32).toString('base64url');
  const cookieOk = (req: IncomingMessage): boolean => {
    const raw = req.headers.cookie;
    if (typeof raw !== 'string' || raw.length > 8192) return false;
    for (const part of raw.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === COOKIE && sameSecret(part.slice(eq + 1).trim(), cookieValue)) return true;
    }
    return false;
  };
  const bearerOk = (req: IncomingMessage): boolean => {
    const m = typeof req.headers.authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization) : null;
    return !!m && sameSecret(m[1], h.token);
  };

  return (req, res, path) => {
    if (!PATHS.has(path)) return false;
    const who = req.method + ' ' + path + ' from ' + (req.socket.remoteAddress || '?');
    const refuse = (status: number, why: string, html = false, headers: { [k: string]: string } = {}) => {
      h.log('console: refused ' + who + ' (' + status + '): ' + why);
      state.onRefused(req.method + ' ' + path, status, why);
      if (status === 413) res.once('finish', () => req.destroy());
      if (html) reply(res, status, 'text/html; charset=utf-8', renderRefusalPage(status, why), headers);
      else reply(res, status, 'application/json', JSON.stringify({ error: why }) + '\n', headers);
    };
    try {
      if (path === '/favicon.ico') {
        req.resume();
        reply(res, 204, 'image/x-icon', '');
        return true;
      }
      const url = new URL(req.url || '/', 'http://console');
      const given = url.searchParams.get('token');
      if (given !== null) {
        req.resume();
        if (req.method !== 'GET') return refuse(405, 'the token is taken on GET only'), true;
        if (!sameSecret(given, h.token)) return refuse(401, 'wrong admin token in ?token= (the mock prints the console URL with it)', true), true;
        url.searchParams.delete('token');
        const rest = url.searchParams.toString();
        reply(res, 303, 'text/plain; charset=utf-8', 'signed in\n', {
          location: path + (rest ? '?' + rest : ''),
          'set-cookie': COOKIE + '=' + cookieValue + '; Path=/; HttpOnly; SameSite=Strict',
        });
        return true;
      }
      const browser = path === '/' || path === '/index.html';
      if (!cookieOk(req) && !bearerOk(req)) {
        req.resume();
        refuse(401, 'not signed in: open the console URL the mock printed (it carries ?token=), or send Authorization: Bearer TOKEN', browser, { 'www-authenticate': 'Bearer realm="akenza-device mock"' });
        return true;
      }
      if (path === '/console/downlink') {
        if (req.method !== 'POST') return req.resume(), refuse(405, 'use POST', false, { allow: 'POST' }), true;
        // SameSite=Strict keeps other sites' forms cookie-less; an Origin of another host is refused too.
        const origin = req.headers.origin;
        if (typeof origin === 'string' && origin !== 'null' && origin.replace(/^https?:\/\//, '') !== req.headers.host) return req.resume(), refuse(403, 'cross-origin request'), true;
        const form = /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] || '');
        readBoundedBody(req, h.bodyLimit, (err, body) => {
          if (err) return refuse(413, err, false, { connection: 'close' });
          let d: ReturnType<typeof parseDownlink>;
          if (form) {
            const f = new URLSearchParams(body.toString('utf8'));
            d = parseDownlink(Buffer.from(JSON.stringify({ deviceId: f.get('deviceId') || '', topic: f.get('topic') || undefined, qos: f.get('qos') === '1' ? 1 : 0, payload: f.get('payload') || '' })));
          } else d = parseDownlink(body);
          if (typeof d === 'string') return refuse(400, d, form);
          let delivered: number;
          try {
            delivered = h.downlink(d.deviceId, d.payload, d.topic, d.qos);
          } catch (e) {
            return refuse(400, (e as Error).message, form);
          }
          if (form) reply(res, 303, 'text/plain; charset=utf-8', 'sent\n', { location: '/' });
          else reply(res, 200, 'application/json', JSON.stringify({ delivered }) + '\n');
        });
        return true;
      }
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(405, 'use GET', false, { allow: 'GET' }), true;
      if (browser) reply(res, 200, 'text/html; charset=utf-8', renderPage(state.snapshot()));
      else if (path === '/console.js') reply(res, 200, 'text/javascript; charset=utf-8', CONSOLE_JS);
      else if (path === '/console.css') reply(res, 200, 'text/css; charset=utf-8', CONSOLE_CSS);
      else if (path === '/console/state') reply(res, 200, 'application/json', JSON.stringify(state.snapshot()) + '\n');
      else if (path === '/console/timeline') {
        const id = url.searchParams.get('deviceId');
        if (!id) return refuse(400, 'deviceId is required'), true;
        reply(res, 200, 'application/json', JSON.stringify(state.timeline(id)) + '\n');
      } else if (path === '/console/events') {
        if (req.method !== 'GET') return refuse(405, 'the event stream is GET only', false, { allow: 'GET' }), true;
        state.hub.open(req, res, state.firstMessage());
      }
    } catch (e) {
      h.log('console: internal error: ' + (e as Error).message);
      reply(res, 500, 'application/json', '{"error":"internal error"}\n');
    }
    return true;
  };
}
