// A minimal HTTP/1.1 client (RFC 7230) over the platform's TCP/TLS sockets, for targets that have
// no HTTP client of their own: one request per connection (`Connection: close`), Content-Length
// always sent (Espruino needs it), no chunked request bodies. It finishes at the end of the
// response head (1xx skipped) and closes: the status decides, the body is not read.
import type { HttpRequest, HttpResponse, Platform, Socket } from '../platform';
import { concatBytes } from '../bytes';
import { utf8Encode } from '../utf8';
import { splitUrl } from './common';

/** Bytes read before the head must be complete; nothing after the head is read at all. */
const MAX_HEAD = 16384;

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
};

const bad = (what: string): never => {
  throw new Error('HTTP: ' + what);
};

/**
 * Parses the response head (status line and header fields) from the bytes received so far; null
 * while incomplete; 1xx heads are skipped. The body is not framed: an uplink's outcome is its
 * status, and a 2xx whose body then breaks off or never ends is still delivered (reading on could
 * only turn it into a failure and a second copy elsewhere). `body` holds the bytes that followed
 * the head in `b`. `ended`: the peer closed. Throws an Error naming the problem on a malformed head.
 */
export function parseHttpHead(b: Uint8Array, ended: boolean): HttpResponse | null {
  let end = -1;
  for (let i = 0; i + 3 < b.length; i++)
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) {
      end = i;
      break;
    }
  if (end < 0) return ended ? bad('connection closed before the response head') : null;
  const lines = latin1(b.subarray(0, end)).split('\r\n');
  // scanned, not matched by regexes Espruino cannot run ('?', (?:...), lazy quantifiers)
  const l0 = lines[0];
  const code = l0.slice(9, 12);
  if (!/^HTTP\/1\.[01] [1-5][0-9][0-9]$/.test(l0.slice(0, 12)) || (l0.length > 12 && l0.charAt(12) !== ' ') || /[\r\n]/.test(l0)) return bad('bad status line');
  const status = Number(code);
  const headers: { [name: string]: string } = {};
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    const key = lines[i].slice(0, c);
    if (c < 1 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || /[\r\n]/.test(lines[i])) return bad('bad header line');
    const name = key.toLowerCase();
    const value = lines[i].slice(c + 1).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
    headers[name] = headers[name] !== undefined ? headers[name] + ', ' + value : value;
  }
  const rest = b.subarray(end + 4);
  if (status < 200) return parseHttpHead(rest, ended); // 100 Continue and friends: the real one follows
  return { status, headers, body: rest.slice() };
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

/**
 * HttpRequest over platform.connect(): the fallback when the platform has no `http`. Returns a
 * function that aborts the request (its `cb` then gets an error, unless it had its answer).
 */
export function httpOverSocket(platform: Platform, req: HttpRequest, cb: (err: Error | null, res?: HttpResponse) => void): () => void {
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
  const abort = () => finish(new Error('HTTP: aborted'));
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
        const r = parseHttpHead(buf, ended);
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
        if (buf.length > MAX_HEAD) finish(new Error('HTTP: no response head within ' + MAX_HEAD + ' bytes'));
        else parse(false);
      },
      onError: (e) => finish(e),
      onClose: () => parse(true),
    });
  } catch (e) {
    const err = e as Error;
    platform.setTimeout(() => finish(err), 0);
  }
  return abort;
}
