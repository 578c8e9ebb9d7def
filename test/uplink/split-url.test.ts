// splitUrl (src/uplink/common.ts) scans instead of matching a regex Espruino cannot run: the table
// pins what it accepts and refuses, including hosts with stray brackets that the old regex let through.
import { describe, expect, it } from 'vitest';
import { splitUrl } from '../../src/uplink/common';
import { parseHttpHead } from '../../src/uplink/http1';

describe('splitUrl', () => {
  it('accepts scheme://host[:port][/path][?query], IPv6 in brackets, the scheme lowercased', () => {
    expect(splitUrl('HTTP://H:8080/a/b?x=1&y=2')).toEqual({ scheme: 'http', host: 'H', port: 8080, path: '/a/b', query: 'x=1&y=2' });
    expect(splitUrl('coap://[::1]:5683/c')).toEqual({ scheme: 'coap', host: '::1', port: 5683, path: '/c', query: '' });
    expect(splitUrl('coap://[::1]/c')).toEqual({ scheme: 'coap', host: '::1', port: 0, path: '/c', query: '' });
    expect(splitUrl('udp://1.2.3.4:5684')).toEqual({ scheme: 'udp', host: '1.2.3.4', port: 5684, path: '', query: '' });
    expect(splitUrl('http://h:65535')).toMatchObject({ port: 65535 });
    expect(splitUrl('http://h/a:b')).toEqual({ scheme: 'http', host: 'h', port: 0, path: '/a:b', query: '' });
    expect(splitUrl('ht-tp+x.y://h')).toMatchObject({ scheme: 'ht-tp+x.y' });
  });
  it('refuses what is malformed', () => {
    for (const u of ['http://h:0', 'http://h:65536', 'http://h:', 'http://:80', 'http://u@h', 'http://h#x', 'http://h/p#x', 'h:80', '://h', '1http://h',
      'http://[]:80', 'http://[::1', 'http://[::1]x', 'http://h:123456', 'http://h:12a', 'http:/h', 'coap://a]b', 'coap://a[b', 'coap://[a[b]'])
      expect(splitUrl(u), u).toBeNull();
  });
});

describe('parseHttpHead (scanned status and header lines)', () => {
  const head = (s: string) => parseHttpHead(new Uint8Array(Buffer.from(s, 'latin1')), true);
  it('status, headers (names lowercased, values trimmed, repeats joined), body', () => {
    expect(head('HTTP/1.1 201 Created\r\nX-A: \t b c \t\r\nx-a: d\r\n\r\nhi')).toEqual({ status: 201, headers: { 'x-a': 'b c, d' }, body: new Uint8Array([104, 105]) });
    expect(head('HTTP/1.0 204\r\n\r\n')).toMatchObject({ status: 204 });
    expect(head('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n')).toMatchObject({ status: 200 });
  });
  it('refuses broken heads', () => {
    for (const s of ['HTTP/1.2 200 OK', 'HTTP/1.1 600 X', 'HTTP/1.1 20 OK', 'HTTP/1.1 2000', 'HTTP/1.1 200OK', 'HTTP/1.1 200 O\rK'])
      expect(() => head(s + '\r\n\r\n'), s).toThrow(/bad status line/);
    for (const h of ['a b: c', ':v', 'novalue', 'K: v\nw']) expect(() => head('HTTP/1.1 200 OK\r\n' + h + '\r\n\r\n'), h).toThrow(/bad header line/);
  });
});
