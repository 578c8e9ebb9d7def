// The CLI surface every command shares, run as the built bin: --help/-h, unknown options (exit 2 with
// usage), the top-level usage, and --json output that parses, for each command that offers it.
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedFingerprints, FIXTURES, nodeVerifyJwt } from '../helpers';
import { runBin } from './run';

const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-options-'));
const fps = expectedFingerprints();

describe('help and usage', () => {
  it('--help lists the commands and exit codes; no command exits 2; unknown command exits 2', async () => {
    const h = await runBin(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['keygen', 'fingerprint', 'cert', 'jwt', 'inspect', 'registry', 'mock']) expect(h.stdout).toMatch(new RegExp('^  ' + c + ' ', 'm'));
    expect(h.stdout).toMatch(/exit status: 0 done, 1 failed \(or token refused\), 2 usage error/);
    const none = await runBin([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('usage: akenza-device <command>');
    expect(none.stdout).toBe('');
    const unknown = await runBin(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('every listed command: --help and -h print its usage and exit 0; an unknown option exits 2 with usage', async () => {
    const commands = [...(await runBin(['--help'])).stdout.matchAll(/^  ([a-z]+) {2,}/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThanOrEqual(7);
    for (const c of commands) {
      const sub = c === 'registry' ? ['registry', 'add'] : [c];
      for (const flag of ['--help', '-h']) {
        const r = await runBin([...sub, flag]);
        expect(r.code, c + ' ' + flag).toBe(0);
        expect(r.stdout, c + ' ' + flag).toMatch(new RegExp('^usage: akenza-device ' + c + '\\b'));
        expect(r.stderr).toBe('');
      }
      const bad = await runBin([...sub, '--no-such-option']);
      expect(bad.code, c + ' --no-such-option').toBe(2);
      expect(bad.stderr).toMatch(/Unknown option '--no-such-option'/);
      expect(bad.stderr).toMatch(new RegExp('usage: akenza-device ' + c + '\\b'));
      expect(bad.stdout).toBe('');
    }
  });

  it('help CMD prints that command\'s help; --help wins over other arguments', async () => {
    const h = await runBin(['help', 'inspect']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^usage: akenza-device inspect TOKEN/);
    expect(h.stdout).toContain('--registry FILE');
    const k = await runBin(['jwt', '--key', '/nonexistent', '--help']);
    expect(k.code).toBe(0);
    expect(k.stdout).toMatch(/^usage: akenza-device jwt /);
  });

  it('a missing option value and a stray argument are usage errors too', async () => {
    const v = await runBin(['jwt', '--device', 'd', '--key']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/--key/);
    const p = await runBin(['keygen', '--out', join(dir, 'x'), 'extra']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/Unexpected argument 'extra'|positional/i);
  });
});

describe('--json', () => {
  it('keygen: file paths and the fingerprint, no key material', async () => {
    const r = await runBin(['keygen', '--out', join(dir, 'k'), '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toEqual({ alg: 'ES256', privateKey: join(dir, 'k.key.pem'), publicKey: join(dir, 'k.pub.pem'), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const der = createPublicKey(readFileSync(j.publicKey, 'utf8')).export({ type: 'spki', format: 'der' });
    expect(j.fingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    expect(r.stdout).not.toContain('BEGIN');
  });

  it.each([
    ['ec.pub.pem', 'spki', 'ES256', 'sha256'],
    ['rsa.cert.pem', 'certificate', 'RS256', 'sha1'],
    ['rsa.pub-pkcs1.pem', 'pkcs1', 'RS256', 'sha256'],
  ])('fingerprint %s', async (f, format, alg, hash) => {
    const r = await runBin(['fingerprint', join(FIXTURES, f), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: join(FIXTURES, f), fingerprint: fps[f], format, alg, hash });
  });

  it('jwt: the token and its decoded header and claims', async () => {
    const r = await runBin(['jwt', '--key', join(FIXTURES, 'rsa.pkcs8.pem'), '--device', 'j1', '--lifetime', '300', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const d = nodeVerifyJwt(j.token, readFileSync(join(FIXTURES, 'rsa.pub.pem'), 'utf8'));
    expect(j.header).toEqual(d.header);
    expect(j.claims).toEqual(d.claims);
    expect(j.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: fps['rsa.pub.pem'] });
    expect(j.claims.aud).toBe('https://akenza.io/devices/j1');
    expect(j.claims.exp - j.claims.iat).toBe(360);
  });

  it('cert and inspect', async () => {
    const c = await runBin(['cert', '--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'c1', '--json']);
    expect(c.code).toBe(0);
    const cj = JSON.parse(c.stdout);
    expect(cj).toMatchObject({ file: null, alg: 'ES256', format: 'ES256 X509 PEM', subject: 'CN=c1' });
    expect(cj.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const t = (await runBin(['jwt', '--key', join(FIXTURES, 'ec.pkcs8.pem'), '--device', 'c1'])).stdout.trim();
    const i = await runBin(['inspect', t, '--json']);
    expect(i.code).toBe(0);
    expect(JSON.parse(i.stdout)).toMatchObject({ accepted: true, connack: 0, deviceId: 'c1', signatureChecked: false });
  });

  it('registry add (key and certificate) and registry connector; the secret is not printed', async () => {
    const reg = join(dir, 'reg.json');
    const a = await runBin(['registry', 'add', '--registry', reg, '--device', 'r1', '--key', join(FIXTURES, 'ec.cert.pem'), '--expires', '2030-01-01T00:00:00Z', '--json']);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual({ registry: reg, deviceId: 'r1', kid: fps['ec.cert.pem'], alg: 'ES256', format: 'ES256 X509 PEM', credentials: 1, expiresAt: '2030-01-01T00:00:00.000Z' });
    const b = await runBin(['registry', 'add', '--registry', reg, '--device', 'r1', '--key', join(FIXTURES, 'rsa.pub.pem'), '--json']);
    expect(JSON.parse(b.stdout)).toEqual({ registry: reg, deviceId: 'r1', kid: fps['rsa.pub.pem'], alg: 'RS256', format: 'RSA PEM', credentials: 2, expiresAt: null });
    const c = await runBin(['registry', 'connector', '--registry', reg, '--id', 'conn-j', '--secret', 'sekrit-value', '--device', 'r1', '--json']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout)).toEqual({ registry: reg, id: 'conn-j', devices: ['r1'] });
    expect(c.stdout + c.stderr).not.toContain('sekrit-value');
  });
});
