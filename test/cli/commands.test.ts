// The CLI as a user runs it: `npx akenza-device ...` in this checkout (the package's own bin).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectedFingerprints, FIXTURES, joseVerifyJwt, nodeVerifyJwt } from '../helpers';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run('npx', ['--no-install', 'akenza-device', ...args], { cwd: root });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('akenza-device CLI', () => {
  const fps = expectedFingerprints();
  it.each(['ES256', 'RS256'])('keygen --alg %s writes PKCS#8 + SPKI, prints the fingerprint; jwt mints a token for it', async (alg) => {
    const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-'));
    const prefix = join(dir, 'dev');
    const k = await cli('keygen', '--alg', alg, '--out', prefix);
    expect(k.code).toBe(0);
    const priv = readFileSync(prefix + '.key.pem', 'utf8');
    const pub = readFileSync(prefix + '.pub.pem', 'utf8');
    expect(priv).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(statSync(prefix + '.key.pem').mode & 0o777).toBe(0o600);
    const fp = /fingerprint ([0-9a-f]{64})/.exec(k.stdout)![1];
    expect((await cli('fingerprint', prefix + '.pub.pem')).stdout.trim()).toBe(fp);
    const j = await cli('jwt', '--key', prefix + '.key.pem', '--device', 'cli-dev', '--lifetime', '120');
    expect(j.code).toBe(0);
    const token = j.stdout.trim();
    const d = nodeVerifyJwt(token, pub);
    expect(d.header).toEqual({ alg, typ: 'JWT', kid: fp });
    expect(d.claims.exp - d.claims.iat).toBe(180);
    await joseVerifyJwt(token, pub, alg, 'https://akenza.io/devices/cli-dev');
    expect((await cli('keygen', '--alg', alg, '--out', prefix)).code).toBe(2); // refuses to overwrite
  });
  it('fingerprint of certificates and PKCS#1 equals openssl dgst', async () => {
    for (const f of ['ec.cert.pem', 'rsa.cert.pem', 'rsa.pub-pkcs1.pem']) expect((await cli('fingerprint', join(FIXTURES, f))).stdout.trim()).toBe(fps[f]);
  });
  it('jwt --kid none|HEX and --audience-base', async () => {
    const none = await cli('jwt', '--key', join(FIXTURES, 'rsa.pkcs1.pem'), '--device', 'd1', '--kid', 'none', '--audience-base', 'https://acme.akenza.io');
    const d = nodeVerifyJwt(none.stdout.trim(), readFileSync(join(FIXTURES, 'rsa.pub.pem'), 'utf8'));
    expect(d.header.kid).toBeUndefined();
    expect(d.claims.aud).toBe('https://acme.akenza.io/devices/d1');
    const hex = await cli('jwt', '--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd1', '--kid', fps['ec.cert.pem']);
    expect(nodeVerifyJwt(hex.stdout.trim(), readFileSync(join(FIXTURES, 'ec.pub.pem'), 'utf8')).header.kid).toBe(fps['ec.cert.pem']);
  });
  it('keygen, cert, jwt --cert, inspect: a certificate credential end to end, exit codes 0/1/2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-'));
    const prefix = join(dir, 'c');
    expect((await cli('keygen', '--out', prefix)).code).toBe(0);
    const c = await cli('cert', '--key', prefix + '.key.pem', '--device', 'cert-dev', '--out', prefix + '.cert.pem');
    expect(c.code).toBe(0);
    const fp = /fingerprint ([0-9a-f]{40})\n/.exec(c.stdout)![1];
    expect((await cli('fingerprint', prefix + '.cert.pem')).stdout.trim()).toBe(fp);
    const token = (await cli('jwt', '--key', prefix + '.key.pem', '--device', 'cert-dev', '--cert', prefix + '.cert.pem')).stdout.trim();
    expect(nodeVerifyJwt(token, readFileSync(prefix + '.pub.pem', 'utf8')).header.kid).toBe(fp);
    const ok = await cli('inspect', token, '--key', prefix + '.cert.pem');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ACCEPTED: CONNACK 0: accepted \(ES256, kid [0-9a-f]{40}\)$/m);
    const wrongDevice = await cli('inspect', token, '--key', prefix + '.cert.pem', '--device', 'other-dev');
    expect(wrongDevice.code).toBe(1);
    expect(wrongDevice.stdout).toMatch(/FAIL +aud +aud expected https:\/\/akenza\.io\/devices\/other-dev, got "https:\/\/akenza\.io\/devices\/cert-dev"/);
    expect((await cli('inspect')).code).toBe(2);
  });
  it.each([
    [['jwt', '--key', join(FIXTURES, 'rsa1024.pkcs8.pem'), '--device', 'd'], 1, /RSA_KEY_TOO_SMALL.*1024 bits/],
    [['jwt', '--key', join(FIXTURES, 'ec.encrypted.pem'), '--device', 'd'], 1, /KEY_ENCRYPTED/],
    [['jwt', '--key', join(FIXTURES, 'p384.pkcs8.pem'), '--device', 'd'], 1, /CURVE_UNSUPPORTED.*P-384/],
    [['jwt', '--key', '/nonexistent.pem', '--device', 'd'], 1, /ENOENT/],
    [['jwt', '--device', 'd'], 2, /--key FILE is required/],
    [['jwt', '--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'd', '--lifetime', 'soon'], 2, /whole seconds/],
    [['fingerprint', join(FIXTURES, 'ec.pkcs8.pem')], 1, /never the private key/],
    [['keygen', '--alg', 'HS256', '--out', '/tmp/x'], 2, /ES256 or RS256/],
    [['frobnicate'], 2, /unknown command/],
  ])('%j exits %i with a clear message and no key material', async (args, code, msg) => {
    const r = await cli(...(args as string[]));
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/[A-Za-z0-9+/]{40,}/);
  });
});
