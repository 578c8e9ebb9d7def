// Shared test helpers: fixture access and an independent JWT check (node:crypto and jose).
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';

export const FIXTURES = join(import.meta.dirname, 'fixtures', 'keys');
/** Wycheproof vectors copied into the checkout (test/vectors/README.md: source, version, license). */
export const VECTORS = join(import.meta.dirname, 'vectors', 'wycheproof');

export const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
export const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

export function expectedFingerprints(): { [file: string]: string } {
  const out: { [file: string]: string } = {};
  for (const line of fixture('fingerprints.txt').trim().split('\n')) {
    const [file, fp] = line.split(' ');
    out[file] = fp;
  }
  return out;
}

export function decodeJwt(token: string): { header: any; claims: any; input: string; sig: Buffer } {
  const [h, c, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(c, 'base64url').toString('utf8')),
    input: h + '.' + c,
    sig: Buffer.from(s, 'base64url'),
  };
}

/** Verifies with node:crypto directly (no code of ours) and returns the decoded parts. */
export function nodeVerifyJwt(token: string, publicPem: string) {
  const d = decodeJwt(token);
  const key = createPublicKey(publicPem);
  const ok =
    d.header.alg === 'ES256'
      ? verify('sha256', Buffer.from(d.input), { key, dsaEncoding: 'ieee-p1363' }, d.sig)
      : verify('sha256', Buffer.from(d.input), key, d.sig);
  if (!ok) throw new Error('node:crypto rejected the token signature');
  return d;
}

/** Verifies with jose, including aud and exp, at `nowS`. */
export async function joseVerifyJwt(token: string, publicPem: string, alg: string, audience: string, nowS?: number) {
  const key = await jose.importSPKI(publicPem, alg);
  return jose.jwtVerify(token, key, { algorithms: [alg], audience, currentDate: nowS ? new Date(nowS * 1000) : undefined });
}

/** A CLI `Io` that keeps what main() prints: `out` and `err` lines. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}
