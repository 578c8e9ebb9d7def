// JWT mint benchmark: every signer on Node next to its same-run baseline (raw node:crypto, bare noble).
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { p256 } from '@noble/curves/nist.js';
import { signJwt as portableSignJwt } from '../../src/index';
import { signJwt as nodeSignJwt } from '../../targets/node/index';
import { parsePrivateKey, type EcPrivateKey } from '../../src/keys';
import { jwtParts, signingInput } from '../../src/jwt';
import { utf8Encode } from '../../src/utf8';
import { measure, table } from './measure';

const fx = (f: string) => readFileSync(new URL('../../test/fixtures/keys/' + f, import.meta.url), 'utf8');
const ecPem = fx('ec.pkcs8.pem');
const rsaPem = fx('rsa.pkcs8.pem');
const input = (alg: 'ES256' | 'RS256') => Buffer.from(utf8Encode(signingInput(jwtParts(alg, { deviceId: 'a1b2c3d4e5f60718', kid: 'auto' }))));
const ecKey = createPrivateKey(ecPem);
const rsaKey = createPrivateKey(rsaPem);
const d = (parsePrivateKey(ecPem) as EcPrivateKey).d;
const esIn = input('ES256');
const rsIn = input('RS256');

const out: string[] = [];
out.push('### ES256 (P-256)\n');
out.push(table(await measure([
  { name: 'raw node:crypto sign', fn: () => sign('sha256', esIn, { key: ecKey, dsaEncoding: 'ieee-p1363' }) },
  { name: 'signJwt, node target', fn: () => nodeSignJwt({ privateKey: ecPem, deviceId: 'a1b2c3d4e5f60718', kid: 'auto' }) },
  { name: 'bare noble p256.sign', fn: () => p256.sign(esIn, d) },
  { name: 'signJwt, portable (noble)', fn: () => portableSignJwt({ privateKey: ecPem, deviceId: 'a1b2c3d4e5f60718', kid: 'auto' }) },
], 400), 'raw node:crypto sign'));
out.push('\n### RS256 (RSA 2048)\n');
out.push(table(await measure([
  { name: 'raw node:crypto sign', fn: () => sign('sha256', rsIn, rsaKey) },
  { name: 'signJwt, node target', fn: () => nodeSignJwt({ privateKey: rsaPem, deviceId: 'a1b2c3d4e5f60718', kid: 'auto' }) },
  { name: 'signJwt, portable (BigInt CRT)', fn: () => portableSignJwt({ privateKey: rsaPem, deviceId: 'a1b2c3d4e5f60718', kid: 'auto' }) },
], 30), 'raw node:crypto sign'));
console.log(out.join('\n'));
