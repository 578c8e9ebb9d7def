// Where the mock can be reached: the names its TLS certificate must cover (every address it listens
// on, all interfaces for 0.0.0.0 / ::, plus names the user adds) and the addresses worth printing.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Always in the certificate: local clients use these. */
export const LOCAL_NAMES = ['localhost', '127.0.0.1', '::1'];

/** True for the wildcard addresses (listen on every interface). */
export const isAnyAddress = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0' || host === '[::]';

/** A DNS name (optionally `*.` wildcard) or an IPv4/IPv6 address: what can go into subjectAltName. */
export function validTlsName(name: string): boolean {
  if (isIP(name)) return true;
  return name.length <= 253 && /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(name) && !/-\./.test(name) && !/-$/.test(name);
}

interface Iface {
  address: string;
  family: string | number;
  internal: boolean;
}

function interfaces(): Iface[] {
  const out: Iface[] = [];
  const all = networkInterfaces();
  for (const k of Object.keys(all)) for (const a of all[k] || []) out.push(a);
  return out;
}

const v6 = (a: Iface) => a.family === 'IPv6' || a.family === 6;

/** Every address of this machine's interfaces (loopback included), IPv4 first. */
export function interfaceAddresses(): string[] {
  const list = interfaces();
  return [...list.filter((a) => !v6(a)), ...list.filter(v6)].map((a) => a.address);
}

/** The names the server certificate covers for `host`: localhost, the loopbacks, the listen address (every interface's for a wildcard), then `extra`; deduplicated. */
export function tlsNamesFor(host: string, extra: string[] = []): string[] {
  const names = [...LOCAL_NAMES];
  if (isAnyAddress(host)) names.push(...interfaceAddresses());
  else names.push(host.replace(/^\[|\]$/g, ''));
  names.push(...extra);
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Addresses a board on the network can use for `host`: for 0.0.0.0 the non-loopback IPv4 addresses,
 * for :: those and the global IPv6 ones (link-local addresses need a zone a URL cannot carry); when
 * the machine has none, 127.0.0.1. A specific host is returned as it is.
 */
export function reachableAddresses(host: string): string[] {
  if (!isAnyAddress(host)) return [host.replace(/^\[|\]$/g, '')];
  const list = interfaces().filter((a) => !a.internal);
  const out = list.filter((a) => !v6(a)).map((a) => a.address);
  if (host !== '0.0.0.0') out.push(...list.filter((a) => v6(a) && !/^fe80:/i.test(a.address)).map((a) => a.address));
  return out.length > 0 ? out : ['127.0.0.1'];
}

/** `addr` as the host part of a URL (IPv6 in brackets). */
export const urlHost = (addr: string): string => (isIP(addr) === 6 ? '[' + addr + ']' : addr);
