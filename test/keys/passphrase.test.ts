// akenza-device/node takes the passphrase of an encrypted private key (signJwt's and createDevice's
// `passphrase`, decryptPrivateKey), on the same path as the CLI's --passphrase-file: keys encrypted
// by openssl sign tokens node:crypto verifies; a wrong passphrase is KEY_ENCRYPTED and never echoed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AkenzaError, createDevice, decryptPrivateKey, signJwt } from '../../targets/node/index';
import { decodeJwt, fixture, nodeVerifyJwt } from '../helpers';

const PASS = 'correct horse 42';
const WRONG = 'battery staple 17';
const dir = mkdtempSync(join(tmpdir(), 'akenza-passphrase-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
writeFileSync(join(dir, 'pass.txt'), PASS + '\n');
openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'plain.pem');
openssl('pkey', '-in', 'plain.pem', '-pubout', '-out', 'pub.pem');
openssl('pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'file:pass.txt', '-in', 'plain.pem', '-out', 'enc.pem');
openssl('pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-passout', 'file:pass.txt', '-in', 'plain.pem', '-outform', 'DER', '-out', 'enc.der');
const encPem = readFileSync(join(dir, 'enc.pem'), 'utf8');
const encDer = new Uint8Array(readFileSync(join(dir, 'enc.der')));
const pub = readFileSync(join(dir, 'pub.pem'), 'utf8');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('resolved');
}

describe('encrypted private keys in akenza-device/node', () => {
  it('openssl\'s encrypted PKCS#8 (PEM and DER) signs with signJwt({ passphrase }), verified by node:crypto', async () => {
    expect(encPem).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    for (const privateKey of [encPem, encDer]) {
      const token = await signJwt({ privateKey, passphrase: PASS, deviceId: 'enc-dev', kid: 'auto' });
      nodeVerifyJwt(token, pub);
      expect(decodeJwt(token).claims.aud).toBe('https://akenza.io/devices/enc-dev');
    }
    // a legacy encrypted RSA PEM (the fixture, passphrase "fixture") gives RS256
    const rsa = await signJwt({ privateKey: fixture('rsa.legacy-encrypted.pem'), passphrase: 'fixture', deviceId: 'enc-dev' });
    nodeVerifyJwt(rsa, fixture('rsa.pub.pem'));
    expect(decodeJwt(rsa).header.alg).toBe('RS256');
  });

  it('without the passphrase the key is refused with KEY_ENCRYPTED', async () => {
    const e = await rejection(signJwt({ privateKey: encPem, deviceId: 'enc-dev' }));
    expect(e).toBeInstanceOf(AkenzaError);
    expect(e.code).toBe('KEY_ENCRYPTED');
  });

  it('a wrong passphrase is an AkenzaError KEY_ENCRYPTED that does not contain it (promise, callback, createDevice, decryptPrivateKey)', async () => {
    const e = await rejection(signJwt({ privateKey: encPem, passphrase: WRONG, deviceId: 'enc-dev' }));
    expect(e).toBeInstanceOf(AkenzaError);
    expect(e.code).toBe('KEY_ENCRYPTED');
    expect(e.message).toMatch(/cannot decrypt the private key with the passphrase given/);
    const viaCb = await new Promise<Error | null>((resolve) => {
      signJwt({ privateKey: encDer, passphrase: WRONG, deviceId: 'enc-dev' }, (err) => resolve(err)).catch(() => undefined);
    });
    expect((viaCb as Error & { code?: string }).code).toBe('KEY_ENCRYPTED');
    let thrown: (Error & { code?: string }) | undefined;
    try {
      createDevice({ deviceId: 'enc-dev', credentials: { privateKey: encPem, passphrase: WRONG } });
    } catch (err) {
      thrown = err as Error & { code?: string };
    }
    expect(thrown).toBeInstanceOf(AkenzaError);
    expect(thrown!.code).toBe('KEY_ENCRYPTED');
    expect(() => decryptPrivateKey(encPem, new TextEncoder().encode(WRONG))).toThrow(expect.objectContaining({ code: 'KEY_ENCRYPTED' }));
    for (const m of [e.message, viaCb!.message, thrown!.message, String(e.stack)]) {
      expect(m).not.toContain(WRONG);
      expect(m).not.toContain('battery');
    }
  });

  it('createDevice takes credentials.passphrase; decryptPrivateKey gives plain PKCS#8 PEM', async () => {
    // the key is parsed when the device is made: refused without the passphrase, taken with it
    expect(() => createDevice({ deviceId: 'enc-dev', credentials: { privateKey: encPem } })).toThrow(expect.objectContaining({ code: 'KEY_ENCRYPTED' }));
    const device = createDevice({ deviceId: 'enc-dev', credentials: { privateKey: encPem, passphrase: PASS, kid: 'auto' } });
    expect(typeof device.start).toBe('function');
    await device.stop();
    const plain = decryptPrivateKey(encPem, PASS);
    expect(plain).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    nodeVerifyJwt(await signJwt({ privateKey: plain, deviceId: 'enc-dev' }), pub);
  });
});
