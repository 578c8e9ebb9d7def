// The names the mock's server certificate covers and the addresses it prints (src/mock/addresses.ts),
// checked against os.networkInterfaces() of this machine.
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { reachableAddresses, tlsNamesFor, urlHost, validTlsName } from '../../src/mock/addresses';

const all = Object.values(networkInterfaces()).flatMap((l) => l || []);

describe('tlsNamesFor', () => {
  it('a specific host: localhost, the loopbacks and the host, then the extra names, without duplicates', () => {
    expect(tlsNamesFor('127.0.0.1')).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(tlsNamesFor('192.168.7.9', ['Box.local', 'box.local', '192.168.7.9'])).toEqual(['localhost', '127.0.0.1', '::1', '192.168.7.9', 'Box.local']);
  });

  it('0.0.0.0 and :: cover every interface address of this machine', () => {
    for (const any of ['0.0.0.0', '::']) {
      const names = tlsNamesFor(any);
      for (const a of all) expect(names, any + ' covers ' + a.address).toContain(a.address);
    }
  });
});

describe('reachableAddresses', () => {
  it('0.0.0.0: the non-loopback IPv4 addresses (127.0.0.1 only when there are none); a host as given', () => {
    const v4 = all.filter((a) => !a.internal && a.family === 'IPv4').map((a) => a.address);
    expect(reachableAddresses('0.0.0.0')).toEqual(v4.length ? v4 : ['127.0.0.1']);
    expect(reachableAddresses('0.0.0.0')).not.toContain('0.0.0.0');
    expect(reachableAddresses('10.1.2.3')).toEqual(['10.1.2.3']);
    for (const a of reachableAddresses('::')) expect(a).not.toMatch(/^fe80:|^::1$|^127\./i);
  });

  it('urlHost brackets IPv6', () => {
    expect(urlHost('fd00::2')).toBe('[fd00::2]');
    expect(urlHost('192.0.2.2')).toBe('192.0.2.2');
  });
});

describe('validTlsName', () => {
  it('DNS names, wildcards and IP addresses; nothing that could change the openssl config', () => {
    for (const ok of ['mybox.local', 'a-b.example.com', '*.example.com', '10.0.0.1', 'fd00::2', 'localhost']) expect(validTlsName(ok), ok).toBe(true);
    for (const bad of ['', 'a b', 'x,DNS:evil', 'x\nsubjectAltName=IP:1.2.3.4', '-lead.example', 'trail-.example', 'a..b', 'a/b']) expect(validTlsName(bad), JSON.stringify(bad)).toBe(false);
  });
});
