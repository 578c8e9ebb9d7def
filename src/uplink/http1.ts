// A minimal HTTP/1.1 client (RFC 7230) over the platform's TCP/TLS sockets, for targets that have
// no HTTP client of their own: one request per connection (`Connection: close`), Content-Length
// always sent (Espruino needs it), no chunked request bodies; the response is framed by
// Content-Length, by chunked transfer coding, or by the close (section 3.3.3), 1xx skipped.
import type { HttpRequest, HttpResponse, Platform, Socket } from '../platform';
import { concatBytes } from '../bytes';
import { utf8Encode } from '../utf8';
import { splitUrl } from './common';

const MAX_RESPONSE = 65536;

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};

/** Index of the first CRLF at or after `from`, or -1. */
const crlf = (b: Uint8Array, from: number): number => {
  for (let i = from; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) return i;
  return -1;
};

const bad = (what: string): never => {
  throw new Error('HTTP: ' + what);
};

/** Decodes a chunked body (RFC 7230 4.1); null while incomplete. Trailers are read and ignored. */
function dechunk(b: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const eol = crlf(b, pos);
    if (eol < 0) return null;
    const line = latin1(b.subarray(pos, eol));
    const m = /^([0-9a-fA-F]{1,8})[ \t]*(;.*)?$/.exec(line);
    if (!m) return bad('bad chunk size line');
    const size = parseInt(m[1], 16);
    pos = eol + 2;
    if (size === 0) {
      // trailer fields, then an empty line
      for (;;) {
        const t = crlf(b, pos);
        if (t < 0) return null;
        if (t === pos) return concatBytes(parts);
        pos = t + 2;
      }
    }
    if (b.length < pos + size + 2) return null;
    if (b[pos + size] !== 13 || b[pos + size + 1] !== 10) return bad('chunk not followed by CRLF');
    parts.push(b.subarray(pos, pos + size));
    pos += size + 2;
  }
}

/**
 * Parses a response from the bytes received so far; null when more are needed. `ended`: the peer
 * closed, so a close-delimited body is complete and anything still missing is an error. Throws
 * an Error naming the problem on malformed input.
 */
export function parseHttpResponse(b: Uint8Array, ended: boolean): HttpResponse | null {
  let end = -1;
  for (let i = 0; i + 3 < b.length; i++)
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) {
      end = i;
      break;
    }
  if (end < 0) return ended ? bad('connection closed before the response head') : null;
  const lines = latin1(b.subarray(0, end)).split('\r\n');
  const m = /^HTTP\/1\.[01] ([1-5]\d\d)(?: [^\r\n]*)?$/.exec(lines[0]);
  if (!m) return bad('bad status line');
  const status = Number(m[1]);
  const headers: { [name: string]: string } = {};
  for (let i = 1; i < lines.length; i++) {
    const h = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(lines[i]);
    if (!h) return bad('bad header line');
    const name = h[1].toLowerCase();
    headers[name] = headers[name] !== undefined ? headers[name] + ', ' + h[2] : h[2];
  }
  const rest = b.subarray(end + 4);
  if (status < 200) return parseHttpResponse(rest, ended); // 100 Continue and friends: the real one follows
  const empty = { status, headers, body: new Uint8Array(0) };
  if (status === 204 || status === 304) return empty;
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    if (!/(^|,)[ \t]*chunked[ \t]*$/i.test(te)) return bad('unsupported transfer coding');
    const body = dechunk(rest);
    if (!body) return ended ? bad('connection closed inside a chunked body') : null;
    return { status, headers, body };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    if (!/^\d{1,9}$/.test(cl)) return bad('bad Content-Length');
    const n = Number(cl);
    if (rest.length < n) return ended ? bad('connection closed inside the body') : null;
    return { status, headers, body: rest.slice(0, n) };
  }
  return ended ? { status, headers, body: rest.slice() } : null;
}

/** The request bytes: request line, Host, Content-Length, Connection: close, the caller's headers, body. */
export function formatHttpRequest(method: string, target: string, hostHeader: string, headers: { [name: string]: string }, body: Uint8Array): Uint8Array {
  let head = method + ' ' + target + ' HTTP/1.1\r\nhost: ' + hostHeader + '\r\ncontent-length: ' + body.length + '\r\nconnection: close\r\n';
  for (const k in headers) {
    if (k === 'host' || k === 'content-length' || k === 'connection' || k === 'transfer-encoding') continue;
    if (/[\r\n]/.test(k + headers[k])) bad('header ' + k + ' contains a line break');
    head += k + ': ' + headers[k] + '\r\n';
  }
  return concatBytes([utf8Encode(head + '\r\n'), body]);
}

/** HttpRequest over platform.connect(): the fallback when the platform has no `http`. */
export function httpOverSocket(platform: Platform, req: HttpRequest, cb: (err: Error | null, res?: HttpResponse) => void): void {
  let done = false;
  let sock: Socket | null = null;
  let buf: Uint8Array = new Uint8Array(0);
  let timer: unknown = null;
  const finish = (err: Error | null, res?: HttpResponse) => {
    if (done) return;
    done = true;
    if (timer !== null) platform.clearTimeout(timer);
    if (sock) sock.close();
    cb(err, res);
  };
  const u = splitUrl(req.url);
  let bytes: Uint8Array;
  try {
    if (!u || (u.scheme !== 'http' && u.scheme !== 'https')) return bad('the URL must be http:// or https://');
    const tls = u.scheme === 'https';
    const port = u.port || (tls ? 443 : 80);
    const host = u.host.indexOf(':') >= 0 ? '[' + u.host + ']' : u.host;
    bytes = formatHttpRequest(req.method, (u.path || '/') + (u.query ? '?' + u.query : ''), host + (u.port ? ':' + port : ''), req.headers, req.body);
    timer = platform.setTimeout(() => {
      timer = null;
      finish(new Error('HTTP: no response within ' + req.timeoutMs + ' ms'));
    }, req.timeoutMs);
    const parse = (ended: boolean) => {
      try {
        const r = parseHttpResponse(buf, ended);
        if (r) finish(null, r);
      } catch (e) {
        finish(e as Error);
      }
    };
    sock = platform.connect({
      host: u.host, port, tls: tls ? { ca: req.ca } : undefined,
      onConnect: () => {
        if (!done && sock) sock.write(bytes);
      },
      onData: (d) => {
        if (done) return;
        buf = concatBytes([buf, d]);
        if (buf.length > MAX_RESPONSE) finish(new Error('HTTP: response larger than ' + MAX_RESPONSE + ' bytes'));
        else parse(false);
      },
      onError: (e) => finish(e),
      onClose: () => parse(true),
    });
  } catch (e) {
    const err = e as Error;
    platform.setTimeout(() => finish(err), 0);
  }
}
