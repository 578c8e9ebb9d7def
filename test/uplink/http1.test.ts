// The minimal HTTP/1.1 client: response framing fixtures (Content-Length, chunked, close-delimited,
// 1xx, 204), malformed responses, the request bytes, and real requests to a node:http server.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../src/platform';
import { formatHttpRequest, httpOverSocket, parseHttpResponse } from '../../src/uplink/http1';
import { nodePlatform } from '../../targets/node/platform';

const b = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (r: HttpResponse | null) => r && Buffer.from(r.body).toString();

describe('parseHttpResponse', () => {
  it('Content-Length: waits for the whole body, ignores what follows', () => {
    const full = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\nX-A: 1\r\nx-a: 2\r\n\r\n{"a":1}';
    for (let i = 0; i < full.length; i++) expect(parseHttpResponse(b(full.slice(0, i)), false)).toBeNull();
    const r = parseHttpResponse(b(full + 'extra'), false)!;
    expect([r.status, text(r), r.headers['content-type'], r.headers['x-a']]).toEqual([200, '{"a":1}', 'application/json', '1, 2']);
    expect(() => parseHttpResponse(b(full.slice(0, -2)), true)).toThrow(/closed inside the body/);
  });
  it('chunked, with extensions and trailers', () => {
    const full = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nTrailer: x\r\n\r\n';
    for (let i = 0; i < full.length; i++) expect(parseHttpResponse(b(full.slice(0, i)), false)).toBeNull();
    expect(text(parseHttpResponse(b(full), false))).toBe('{"a":1}');
    expect(() => parseHttpResponse(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), false)).toThrow(/chunk size/);
    expect(() => parseHttpResponse(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n'), false)).toThrow(/CRLF/);
    expect(() => parseHttpResponse(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'), false)).toThrow(/transfer coding/);
  });
  it('close-delimited, 1xx skipped, 204 without a body', () => {
    expect(parseHttpResponse(b('HTTP/1.0 500 Oops\r\n\r\npartial'), false)).toBeNull();
    expect(text(parseHttpResponse(b('HTTP/1.0 500 Oops\r\n\r\npartial'), true))).toBe('partial');
    const r = parseHttpResponse(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}'), false)!;
    expect([r.status, text(r)]).toEqual([401, '{}']);
    expect(parseHttpResponse(b('HTTP/1.1 204 No Content\r\n\r\n'), false)!.body.length).toBe(0);
  });
  it('malformed heads are errors', () => {
    for (const bad of ['HTTP/2 200 OK\r\n\r\n', 'HTTP/1.1 20 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nno colon\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'garbage\r\n\r\n'])
      expect(() => parseHttpResponse(b(bad), false), JSON.stringify(bad)).toThrow(/HTTP: /);
    expect(() => parseHttpResponse(b('HTTP/1.1 200'), true)).toThrow(/before the response head/);
  });
  it('request bytes: request line, Host, Content-Length always, Connection: close, no line breaks in headers', () => {
    const req = Buffer.from(formatHttpRequest('POST', '/v3/capture?deviceId=d', 'h:8080', { secret: 's', 'content-length': '99' }, b('{}'))).toString();
    expect(req).toBe('POST /v3/capture?deviceId=d HTTP/1.1\r\nhost: h:8080\r\ncontent-length: 2\r\nconnection: close\r\nsecret: s\r\n\r\n{}');
    expect(() => formatHttpRequest('POST', '/', 'h', { secret: 'a\r\nx-evil: 1' }, b(''))).toThrow(/line break/);
  });
});

describe('httpOverSocket against node:http (real sockets)', () => {
  let server: Server;
  let port = 0;
  const got: { method?: string; url?: string; headers: object; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        got.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        if (req.url === '/chunked') {
          res.writeHead(200, { 'content-type': 'application/json' }); // no length: node sends chunked
          res.write('{"part":');
          setTimeout(() => res.end('1}'), 20);
        } else if (req.url === '/hang') {
          /* never answers */
        } else res.writeHead(503).end('busy');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const call = (path: string, timeoutMs = 5000) =>
    new Promise<{ err: Error | null; res?: HttpResponse }>((resolve) =>
      httpOverSocket(nodePlatform, { method: 'POST', url: 'http://127.0.0.1:' + port + path, headers: { 'content-type': 'application/json', secret: 'sss' }, body: b('{"x":1}'), timeoutMs }, (err, res) => resolve({ err, res })));

  it('chunked and Content-Length responses; the request carries Content-Length', async () => {
    const a = await call('/chunked');
    expect(a.err).toBeNull();
    expect([a.res!.status, text(a.res!)]).toEqual([200, '{"part":1}']);
    const c = await call('/other');
    expect([c.res!.status, text(c.res!)]).toEqual([503, 'busy']);
    expect(got[0]).toMatchObject({ method: 'POST', url: '/chunked', body: '{"x":1}', headers: { 'content-length': '7', secret: 'sss', host: '127.0.0.1:' + port } });
  });
  it('times out, and reports refused connections', async () => {
    const t = await call('/hang', 200);
    expect(t.err!.message).toMatch(/no response within 200 ms/);
    const free = createNetServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', () => r()));
    const freePort = (free.address() as { port: number }).port;
    await new Promise<void>((r) => free.close(() => r()));
    const refused = await new Promise<Error | null>((resolve) =>
      httpOverSocket(nodePlatform, { method: 'POST', url: 'http://127.0.0.1:' + freePort + '/', headers: {}, body: b('{}'), timeoutMs: 2000 }, (e) => resolve(e)));
    expect(refused!.message).toMatch(/ECONNREFUSED/);
    const badUrl = await new Promise<Error | null>((resolve) => httpOverSocket(nodePlatform, { method: 'POST', url: 'ftp://x/', headers: {}, body: b(''), timeoutMs: 100 }, (e) => resolve(e)));
    expect(badUrl!.message).toMatch(/http:\/\/ or https:\/\//);
  });
});

describe('HTTPS: the HTTP uplink over TLS with a private CA (node:https and the core client over TLS sockets)', () => {
  it('verifies the server against the given CA, and refuses it without', async () => {
    const { createServer: createHttpsServer } = await import('node:https');
    const { generatedTlsIdentity } = await import('../../src/mock/tls-cert');
    const { createHttpUplink } = await import('../../src/uplink/http');
    const id = await generatedTlsIdentity();
    const seen: string[] = [];
    const server = createHttpsServer({ cert: id.cert, key: id.key }, (req, res) => {
      seen.push(String(req.headers.secret) + ' ' + req.url);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"uplink received"}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = 'https://localhost:' + (server.address() as { port: number }).port;
    try {
      const socketOnly = { ...nodePlatform, http: undefined };
      for (const p of [nodePlatform, socketOnly]) {
        const good = createHttpUplink(p, { url, secret: 'tls-secret', ca: id.ca });
        const r = await new Promise<{ outcome: string; message: string }>((res) => good.send({ deviceId: 'd', topic: 't', payload: b('{}') }, res));
        expect(r.outcome).toBe('ok');
        const untrusted = createHttpUplink(p, { url, secret: 'tls-secret' });
        const u = await new Promise<{ outcome: string; message: string }>((res) => untrusted.send({ deviceId: 'd', payload: b('{}') }, res));
        expect(u.outcome).toBe('retry');
        expect(u.message).toMatch(/certificate/i);
      }
      expect(seen).toEqual(['tls-secret /v3/capture?deviceId=d&topic=t', 'tls-secret /v3/capture?deviceId=d&topic=t']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
