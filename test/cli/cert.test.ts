// `akenza-device cert`: the certificate as openssl and node:crypto read it (subject, public key,
// signature, fingerprint), refusals of keys the platform refuses, and the mock cloud accepting it.
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { FIXTURES } from '../helpers';
import { connackFor } from '../mock/helpers';
import { runBin, runMain } from './run';

const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-cert-'));
const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8' });
const spkiDer = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });

describe('akenza-device cert', () => {
  it.each([
    ['ES256', 'ec.pkcs8.pem', 'ES256 X509 PEM'],
    ['RS256', 'rsa.pkcs1.pem', 'RSA X509 PEM'],
  ])('%s: openssl parses it, CN = deviceId, same public key, valid signature, fingerprint = SHA-1 of the DER', async (alg, keyFile, format) => {
    const out = join(dir, alg + '.cert.pem');
    const r = await runBin(['cert', '--key', join(FIXTURES, keyFile), '--device', 'dev-' + alg, '--days', '30', '--out', out, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const pem = readFileSync(out, 'utf8');
    expect(j.certificate).toBe(pem);
    expect(j).toMatchObject({ file: out, alg, format, subject: 'CN=dev-' + alg });

    // openssl: subject and public key
    const o = openssl('x509', '-in', out, '-noout', '-subject', '-pubkey');
    expect(o).toMatch(new RegExp('^subject=CN ?= ?dev-' + alg + '$', 'm'));
    const pubPem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(o)![0];
    const keyPub = createPublicKey(createPrivateKey(readFileSync(join(FIXTURES, keyFile), 'utf8')));
    expect(spkiDer(pubPem).equals(keyPub.export({ type: 'spki', format: 'der' }))).toBe(true);
    // openssl: the self-signature verifies
    expect(openssl('verify', '-CAfile', out, out)).toContain(': OK');

    // node:crypto: signature, validity, fingerprint
    const x = new X509Certificate(pem);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.verify(createPublicKey(readFileSync(join(FIXTURES, alg === 'ES256' ? 'rsa.pub.pem' : 'ec.pub.pem'), 'utf8')))).toBe(false);
    expect(x.checkPrivateKey(createPrivateKey(readFileSync(join(FIXTURES, keyFile), 'utf8')))).toBe(true);
    expect(x.subject).toBe('CN=dev-' + alg);
    expect(x.issuer).toBe('CN=dev-' + alg);
    expect(x.ca).toBe(false);
    const ext = openssl('x509', '-in', out, '-noout', '-ext', 'basicConstraints,keyUsage');
    expect(ext).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(ext).toMatch(/Key Usage: critical\s+Digital Signature\s*$/);
    const days = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / 86400000;
    expect(Math.round(days)).toBe(30);
    expect(Math.abs(Date.parse(x.validFrom) - Date.now())).toBeLessThan(10 * 60 * 1000);
    const sha1 = createHash('sha1').update(x.raw).digest('hex');
    expect(j.fingerprint).toBe(sha1);
    expect(x.fingerprint.replace(/:/g, '').toLowerCase()).toBe(sha1);
    expect(openssl('x509', '-in', out, '-noout', '-fingerprint', '-sha1').replace(/:/g, '').toLowerCase()).toContain(sha1);
    expect(j.serial).toBe(x.serialNumber.toLowerCase());
    // the CLI's own fingerprint command agrees
    expect((await runMain('fingerprint', out)).stdout.trim()).toBe(sha1);
  });

  it.each(['ec.sec1-bare.pem', 'ec.sec1-nopub.pem', 'rsa3072.pkcs8.pem'])('%s: key forms node:crypto may not read are parsed by the SDK', async (f) => {
    const r = await runMain('cert', '--key', join(FIXTURES, f), '--device', 'forms', '--json');
    expect(r.code).toBe(0);
    const x = new X509Certificate(JSON.parse(r.stdout).certificate);
    expect(x.verify(x.publicKey)).toBe(true);
    const pub = f.startsWith('ec') ? 'ec.pub.pem' : null;
    if (pub) expect(spkiDer(readFileSync(join(FIXTURES, pub), 'utf8')).equals(x.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    else expect(x.checkPrivateKey(createPrivateKey(readFileSync(join(FIXTURES, f), 'utf8')))).toBe(true);
  });

  it('without --out: the PEM alone on stdout, the fingerprint on stderr; a fresh serial each run', async () => {
    const a = await runMain('cert', '--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd1');
    const b = await runMain('cert', '--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd1');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
    const x = new X509Certificate(a.stdout);
    expect(a.stderr.trim()).toBe('fingerprint ' + createHash('sha1').update(x.raw).digest('hex'));
    expect(new X509Certificate(b.stdout).serialNumber).not.toBe(x.serialNumber);
    expect(a.stdout + a.stderr).not.toContain('PRIVATE');
  });

  it('a key from keygen, --days default is 10 years; refuses to overwrite without --force', async () => {
    const prefix = join(dir, 'gen');
    expect((await runMain('keygen', '--alg', 'RS256', '--out', prefix)).code).toBe(0);
    const out = join(dir, 'gen.cert.pem');
    const r = await runMain('cert', '--key', prefix + '.key.pem', '--device', 'gen-1', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*gen\.cert\.pem \(RSA X509 PEM, CN=gen-1, valid until /);
    const x = new X509Certificate(readFileSync(out));
    expect(Math.round((Date.parse(x.validTo) - Date.now()) / 86400000)).toBe(3650);
    expect(spkiDer(readFileSync(prefix + '.pub.pem', 'utf8')).equals(x.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    const again = await runMain('cert', '--key', prefix + '.key.pem', '--device', 'gen-1', '--out', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
    expect((await runMain('cert', '--key', prefix + '.key.pem', '--device', 'gen-1', '--out', out, '--force')).code).toBe(0);
    expect(new X509Certificate(readFileSync(out)).serialNumber).not.toBe(x.serialNumber);
  });

  it.each([
    [['--key', join(FIXTURES, 'rsa1024.pkcs8.pem'), '--device', 'd'], 1, /RSA_KEY_TOO_SMALL/],
    [['--key', join(FIXTURES, 'p384.pkcs8.pem'), '--device', 'd'], 1, /CURVE_UNSUPPORTED.*P-384/],
    [['--key', join(FIXTURES, 'ed25519.pkcs8.pem'), '--device', 'd'], 1, /KEY_UNSUPPORTED/],
    [['--key', join(FIXTURES, 'ec.encrypted.pem'), '--device', 'd'], 1, /KEY_ENCRYPTED/],
    [['--key', join(FIXTURES, 'ec.pub.pem'), '--device', 'd'], 1, /PEM_UNSUPPORTED.*public credential/],
    [['--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'a/b'], 2, /--device "a\/b" is not a deviceId/], // a malformed option value (docs/cli.md)
    [['--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'x'.repeat(65)], 2, /at most 64 characters/],
    [['--key', join(FIXTURES, 'ec.pkcs8.pem')], 2, /--device ID is required/],
    [['--device', 'd'], 2, /--key FILE is required/],
    [['--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd', '--days', '0'], 2, /--days must be/],
    [['--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd', '--days', 'ten'], 2, /--days must be/],
    [['--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd', '--valid', '3'], 2, /Unknown option '--valid'/],
    [['--key', '/nonexistent/key.pem', '--device', 'd'], 1, /ENOENT/],
  ])('cert %j exits %i', async (args, code, msg) => {
    const r = await runMain('cert', ...(args as string[]));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/[A-Za-z0-9+/]{40,}/); // no key material
  });
});

describe('a cert credential in the mock cloud', () => {
  const reg = join(dir, 'reg.json');
  const key = join(FIXTURES, 'ec.pkcs8.pem');
  const certFile = join(dir, 'mock-dev.cert.pem');
  let cloud: MockCloud;
  let fp: string;
  beforeAll(async () => {
    fp = JSON.parse((await runMain('cert', '--key', key, '--device', 'mock-dev', '--out', certFile, '--json')).stdout).fingerprint;
    const add = await runMain('registry', 'add', '--registry', reg, '--device', 'mock-dev', '--key', certFile, '--json');
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ deviceId: 'mock-dev', kid: fp, format: 'ES256 X509 PEM', credentials: 1 });
    cloud = await startMockCloud({ registryFile: reg });
  });
  afterAll(() => cloud && cloud.close());

  it('accepts a JWT whose kid is the certificate fingerprint (jwt --cert), or without kid', async () => {
    const t = (await runMain('jwt', '--key', key, '--device', 'mock-dev', '--cert', certFile, '--json'));
    expect(t.code).toBe(0);
    const j = JSON.parse(t.stdout);
    expect(j.header.kid).toBe(fp);
    expect(await connackFor(cloud.mqttPort, 'mock-dev', j.token)).toBe(0);
    const none = (await runMain('jwt', '--key', key, '--device', 'mock-dev', '--kid', 'none')).stdout.trim();
    expect(await connackFor(cloud.mqttPort, 'mock-dev', none)).toBe(0);
  });

  it('refuses the key fingerprint as kid, and inspect --registry says why', async () => {
    const auto = (await runMain('jwt', '--key', key, '--device', 'mock-dev')).stdout.trim();
    expect(await connackFor(cloud.mqttPort, 'mock-dev', auto)).toBe(5);
    const i = await runMain('inspect', auto, '--registry', reg);
    expect(i.code).toBe(1);
    expect(i.stdout).toMatch(/FAIL +kid +kid [0-9a-f]{64} matches no credential of the device/);
  });

  it('jwt --cert refuses a certificate of another key', async () => {
    const r = await runMain('jwt', '--key', join(FIXTURES, 'rsa.pkcs8.pem'), '--device', 'mock-dev', '--cert', certFile);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is for a different key than/);
    expect(existsSync(certFile)).toBe(true);
  });
});
