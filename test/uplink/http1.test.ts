// The minimal HTTP/1.1 client: the response head (1xx skipped, the body never framed), malformed
// heads, the request bytes, and real requests to a node:http server.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../src/platform';
import { formatHttpRequest, httpOverSocket, parseHttpHead } from '../../src/uplink/http1';
import { nodePlatform } from '../../targets/node/platform';

const b = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (r: HttpResponse | null) => r && Buffer.from(r.body).toString();

describe('parseHttpHead', () => {
  it('finishes at the end of the head: the body is neither waited for nor framed', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 80\r\nX-A: 1\r\nx-a: 2\r\n\r\n';
    for (let i = 0; i < head.length; i++) expect(parseHttpHead(b(head.slice(0, i)), false)).toBeNull();
    const r = parseHttpHead(b(head + '{"id":"x"'), false)!; // 9 of 80 bytes: still a 200
    expect([r.status, text(r), r.headers['content-type'], r.headers['x-a']]).toEqual([200, '{"id":"x"', 'application/json', '1, 2']);
    // framing a body would have refused these; the status alone decides
    for (const broken of ['Transfer-Encoding: chunked\r\n\r\nzz\r\n', 'Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}', 'Transfer-Encoding: gzip\r\n\r\n'])
      expect(parseHttpHead(b('HTTP/1.1 201 Created\r\n' + broken), true)!.status).toBe(201);
  });
  it('1xx skipped, close before the head is an error', () => {
    expect(parseHttpHead(b('HTTP/1.1 100 Continue\r\n\r\n'), false)).toBeNull();
    const r = parseHttpHead(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\n{}'), false)!;
    expect([r.status, text(r)]).toEqual([401, '{}']);
    expect(() => parseHttpHead(b('HTTP/1.1 100 Continue\r\n\r\n'), true)).toThrow(/before the response head/);
  });
  it('malformed heads are errors', () => {
    for (const bad of ['HTTP/2 200 OK\r\n\r\n', 'HTTP/1.1 20 OK\r\n\r\n', 'HTTP/1.1 200 OK\r\nno colon\r\n\r\n', 'garbage\r\n\r\n'])
      expect(() => parseHttpHead(b(bad), false), JSON.stringify(bad)).toThrow(/HTTP: /);
    expect(() => parseHttpHead(b('HTTP/1.1 200'), true)).toThrow(/before the response head/);
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
          res.flushHeaders();
          setTimeout(() => res.write('{"part":'), 50);
          setTimeout(() => res.end('1}'), 100);
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

  it('answers at the head, before a slow body; the request carries Content-Length', async () => {
    const a = await call('/chunked');
    expect(a.err).toBeNull();
    expect([a.res!.status, a.res!.headers['transfer-encoding'], text(a.res!)]).toEqual([200, 'chunked', '']);
    const c = await call('/other');
    expect(c.res!.status).toBe(503);
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

describe('the HTTP uplink decides on the status line (both clients, a raw TCP server)', () => {
  const replies: { [kind: string]: string } = {
    truncated: 'HTTP/1.1 200 OK\r\ncontent-length: 80\r\n\r\n{"id":"x"',
    endless: 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"id":"x"}', // no length, kept open
    badChunk: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
    unauthorized: 'HTTP/1.1 401 Unauthorized\r\ncontent-length: 500\r\n\r\n{',
    hang: '',
  };
  let server: ReturnType<typeof createNetServer>;
  let port = 0;
  const open = new Set<import('node:net').Socket>();
  beforeAll(async () => {
    server = createNetServer((s) => {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
      let got = '';
      s.on('data', (d) => {
        got += d;
        const i = got.indexOf('\r\n\r\n');
        const cl = /content-length: (\d+)/i.exec(got);
        if (i < 0 || !cl || got.length < i + 4 + Number(cl[1])) return;
        const kind = /topic=(\w+)/.exec(got)![1];
        if (replies[kind]) s.write(replies[kind]);
        if (kind === 'truncated' || kind === 'badChunk' || kind === 'unauthorized') s.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of open) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });

  for (const [name, platform] of [['node:http', nodePlatform], ['HTTP/1.1 over connect()', { ...nodePlatform, http: undefined }]] as const) {
    it(`${name}: a 2xx with a broken, short or endless body is delivered; a 401 with one is auth; close() aborts a request in flight`, async () => {
      const { createHttpUplink } = await import('../../src/uplink/http');
      // A long timeout: were the body awaited, 'endless' would still be open when the test gives up.
      const up = createHttpUplink(platform, { url: 'http://127.0.0.1:' + port, secret: 'sss', timeoutMs: 60_000 });
      const send = (topic: string) => new Promise<{ outcome: string; status?: number | string; message: string }>((res) => up.send({ deviceId: 'd', topic, payload: b('{}') }, res));
      for (const kind of ['truncated', 'endless', 'badChunk']) expect(await send(kind), kind).toEqual({ outcome: 'ok', status: 200, message: 'HTTP 200' });
      expect(await send('unauthorized')).toMatchObject({ outcome: 'auth', status: 401 });
      const hung = send('hang');
      await new Promise((r) => setTimeout(r, 100));
      up.close();
      const r = await hung;
      expect(r).toEqual({ outcome: 'retry', message: 'HTTP: aborted' }); // one prefix
      // the transport still works after close()
      expect((await send('truncated')).outcome).toBe('ok');
    });
  }
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
