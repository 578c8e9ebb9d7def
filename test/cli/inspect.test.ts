// `akenza-device inspect`: the explanation and exit code for good and bad tokens, and its verdict
// (CONNACK code and reason) compared with the mock broker's over a real MQTT connection.
import { createHash, createHmac, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud, type RegistryJson } from '../../src/mock/index';
import { expectedFingerprints, fixture, FIXTURES } from '../helpers';
import { b64u, connackFor, flipSignature, mint, nowS } from '../mock/helpers';
import { runBin, runMain } from './run';

const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-inspect-'));
const fps = expectedFingerprints();
const AUD = (id: string) => 'https://akenza.io/devices/' + id;
const ec1 = createPrivateKey(fixture('ec.pkcs8.pem'));
const rsa1 = createPrivateKey(fixture('rsa.pkcs8.pem'));
const gen = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const m1 = gen();
const m2 = gen();
const other = gen();
const old = gen();
const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
const kidOf = (k: KeyObject) => createHash('sha256').update(k.export({ type: 'spki', format: 'der' })).digest('hex');

const registry: RegistryJson = {
  devices: [
    { deviceId: 'one', credentials: [{ publicKey: fixture('ec.pub.pem') }] },
    { deviceId: 'rsa', credentials: [{ publicKey: fixture('rsa.pub.pem') }] },
    { deviceId: 'cert', credentials: [{ publicKey: fixture('ec.cert.pem') }] },
    { deviceId: 'multi', credentials: [{ publicKey: pem(m1.publicKey) }, { publicKey: pem(m2.publicKey) }] },
    { deviceId: 'expired', credentials: [{ publicKey: pem(old.publicKey), expiresAt: '2020-01-01T00:00:00Z' }] },
  ],
  connectors: [],
};
const regFile = join(dir, 'registry.json');
writeFileSync(regFile, JSON.stringify(registry));

const now = nowS();
const tok = (key: KeyObject, id: string, header: { [k: string]: unknown } = {}, claims: { [k: string]: unknown } = {}) =>
  mint({ key, header, claims: { aud: AUD(id), iat: now - 60, exp: now + 3600, ...claims } });
const seg = (v: unknown) => b64u(JSON.stringify(v));

interface Case {
  name: string;
  device: string;
  token: string;
  connack: 0 | 4 | 5;
  /** The line that explains the verdict: the check that fails (or an ok one worth showing). */
  line: RegExp;
}

const cases: Case[] = [
  { name: 'valid ES256 with kid', device: 'one', connack: 0, token: tok(ec1, 'one', { kid: fps['ec.pub.pem'] }), line: /ok +signature +signature verifies with credential 1c3a79d1/ },
  { name: 'valid RS256 without kid', device: 'rsa', connack: 0, token: tok(rsa1, 'rsa'), line: /ok +kid +kid absent: the broker tried every RS256 key of the device/ },
  { name: 'valid, certificate credential (SHA-1 kid)', device: 'cert', connack: 0, token: tok(ec1, 'cert', { kid: fps['ec.cert.pem'] }), line: /ok +signature +signature verifies with credential [0-9a-f]{40}\b/ },
  { name: 'expired 3 min ago: within the skew', device: 'one', connack: 0, token: tok(ec1, 'one', {}, { iat: now - 3600, exp: now - 180 }), line: /ok +exp +exp passed 3 min ago, still within the 600 s clock-skew allowance/ },
  { name: 'expired 20 min ago', device: 'one', connack: 5, token: tok(ec1, 'one', {}, { iat: now - 3600, exp: now - 1200 }), line: /FAIL +exp +exp passed 20 min ago, beyond the 600 s clock-skew allowance: token expired at / },
  { name: 'iat 30 min in the future', device: 'one', connack: 5, token: tok(ec1, 'one', {}, { iat: now + 1800 }), line: /FAIL +iat +iat is 30 min in the future, beyond the 600 s clock-skew allowance/ },
  { name: 'aud of another device', device: 'one', connack: 5, token: tok(ec1, 'one', {}, { aud: AUD('other') }), line: /FAIL +aud +aud expected https:\/\/akenza\.io\/devices\/one, got "https:\/\/akenza\.io\/devices\/other"/ },
  { name: 'aud missing', device: 'one', connack: 5, token: tok(ec1, 'one', {}, { aud: undefined }), line: /FAIL +aud +aud expected https:\/\/akenza\.io\/devices\/one, got no aud/ },
  { name: 'kid matching no key', device: 'one', connack: 5, token: tok(ec1, 'one', { kid: 'ab'.repeat(32) }), line: /FAIL +kid +kid (ab){32} matches no credential of the device/ },
  { name: 'signed by another key, no kid', device: 'one', connack: 5, token: tok(other.privateKey, 'one'), line: /FAIL +signature +signature does not verify with any credential of the device/ },
  { name: 'flipped signature bit, with kid', device: 'one', connack: 5, token: flipSignature(tok(ec1, 'one', { kid: fps['ec.pub.pem'] })), line: /FAIL +signature +signature does not verify with credential 1c3a79d1/ },
  { name: 'alg none', device: 'one', connack: 4, token: seg({ alg: 'none', typ: 'JWT' }) + '.' + seg({ aud: AUD('one'), exp: now + 60 }) + '.' + b64u('x'), line: /FAIL +alg +malformed token: alg "none" is not accepted \(ES256 or RS256 only\)/ },
  {
    name: 'alg HS256 keyed with the public key', device: 'one', connack: 4,
    token: (() => {
      const input = seg({ alg: 'HS256', typ: 'JWT' }) + '.' + seg({ aud: AUD('one'), exp: now + 60 });
      return input + '.' + b64u(createHmac('sha256', fixture('ec.pub.pem')).update(input).digest());
    })(),
    line: /FAIL +alg +malformed token: alg "HS256" is not accepted/,
  },
  { name: 'not a JWT', device: 'one', connack: 4, token: 'hunter2', line: /FAIL +form +malformed token: 1 dot-separated segment\(s\), a compact JWS has 3/ },
  { name: 'claims not JSON', device: 'one', connack: 4, token: seg({ alg: 'ES256' }) + '.' + b64u('{"aud":') + '.' + tok(ec1, 'one').split('.')[2], line: /FAIL +form +malformed token: claims is not JSON/ },
  { name: 'DER-encoded ES256 signature', device: 'one', connack: 4, token: mint({ key: ec1, claims: { aud: AUD('one'), exp: now + 60 }, dsaEncoding: 'der' }), line: /FAIL +form +malformed token: ES256 signature is \d+ bytes.*looks DER-encoded/ },
  { name: 'lifetime of 2 days', device: 'one', connack: 5, token: tok(ec1, 'one', {}, { iat: now, exp: now + 172800 }), line: /FAIL +lifetime +lifetime 172800 s exceeds the maximum of 86400 s/ },
  { name: 'several keys, no kid', device: 'multi', connack: 5, token: tok(m1.privateKey, 'multi'), line: /FAIL +kid +kid is required: the device has 2 credentials/ },
  { name: 'several keys, kid of the second', device: 'multi', connack: 0, token: tok(m2.privateKey, 'multi', { kid: kidOf(m2.publicKey) }), line: /ok +kid +kid [0-9a-f]{64} names a credential of the device/ },
  { name: 'expired credential', device: 'expired', connack: 5, token: tok(old.privateKey, 'expired', { kid: kidOf(old.publicKey) }), line: /FAIL +credential +credential [0-9a-f]{64} expired at 2020-01-01T00:00:00\.000Z/ },
  { name: 'unregistered device', device: 'nobody', connack: 5, token: tok(ec1, 'nobody'), line: /FAIL +device +device "nobody" is not registered/ },
];

let cloud: MockCloud;
const rejected: { clientId?: string; code: number; reason: string }[] = [];
beforeAll(async () => {
  cloud = await startMockCloud({ registryFile: regFile });
  cloud.on('authRejected', (e) => rejected.push(e));
});
afterAll(() => cloud && cloud.close());

describe('inspect --registry agrees with the mock broker', () => {
  it.each(cases)('$name', async (c) => {
    const text = await runMain('inspect', c.token, '--registry', regFile, '--device', c.device);
    expect(text.code).toBe(c.connack === 0 ? 0 : 1);
    expect(text.stdout).toMatch(c.line);
    expect(text.stdout.trim().split('\n').pop()).toMatch(c.connack === 0 ? /^ACCEPTED: CONNACK 0: accepted \(/ : new RegExp('^REFUSED: CONNACK ' + c.connack + ' '));

    const json = await runMain('inspect', c.token, '--registry', regFile, '--device', c.device, '--json');
    expect(json.code).toBe(text.code);
    const x = JSON.parse(json.stdout);
    expect(x.connack).toBe(c.connack);
    expect(x.accepted).toBe(c.connack === 0);
    expect(x.signatureChecked).toBe(c.connack !== 4);
    expect(x.checks.filter((k: { ok: boolean | null }) => k.ok === false).length > 0).toBe(c.connack !== 0);

    // The broker, over MQTT: same CONNACK, same reason.
    rejected.length = 0;
    expect(await connackFor(cloud.mqttPort, c.device, c.token)).toBe(c.connack);
    if (c.connack !== 0) expect(rejected.map((e) => e.reason)).toEqual([x.reason]);
  });

  it('--device of an unregistered device: one device line, FAIL (never ok and FAIL both)', async () => {
    const t = tok(ec1, 'one', { kid: fps['ec.pub.pem'] });
    const r = await runMain('inspect', t, '--registry', regFile, '--device', 'nobody');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => /^ {2}\S+ +device /.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}FAIL +device +device "nobody" is not registered \(keys from /);
    const x = JSON.parse((await runMain('inspect', t, '--registry', regFile, '--device', 'nobody', '--json')).stdout);
    expect(x.checks.filter((k: { check: string }) => k.check === 'device')).toEqual([expect.objectContaining({ ok: false })]);
    expect(x.reason).toBe('device "nobody" is not registered');
    // a registered device keeps its one ok line
    const ok = await runMain('inspect', t, '--registry', regFile, '--device', 'one');
    expect(ok.stdout.split('\n').filter((l) => /^ {2}\S+ +device /.test(l))).toEqual([expect.stringMatching(/^ {2}ok +device +device one \(from --device\)$/)]);
  });

  it('lists every failing claim, while the verdict is the broker\'s first', async () => {
    const t = tok(ec1, 'one', {}, { aud: AUD('two'), iat: now - 7200, exp: now - 3600 });
    const r = await runMain('inspect', t, '--registry', regFile, '--device', 'one', '--json');
    const x = JSON.parse(r.stdout);
    expect(x.checks.filter((k: { ok: boolean | null }) => k.ok === false).map((k: { check: string }) => k.check)).toEqual(['aud', 'exp']);
    expect(x.reason).toMatch(/^aud "https:\/\/akenza\.io\/devices\/two" is not https:\/\/akenza\.io\/devices\/one$/);
    rejected.length = 0;
    expect(await connackFor(cloud.mqttPort, 'one', t)).toBe(5);
    expect(rejected[0].reason).toBe(x.reason);
  });
});

describe('inspect with --key or no key', () => {
  const valid = tok(ec1, 'd1', { kid: fps['ec.pub.pem'] });

  it.each(['ec.pub.pem', 'ec.pkcs8.pem', 'ec.sec1.pem'])('--key %s (public or private) checks the signature', async (f) => {
    const r = await runMain('inspect', valid, '--key', join(FIXTURES, f));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +device +device d1 \(taken from aud/);
    expect(r.stdout).toMatch(/ok +signature +signature verifies with credential 1c3a79d1\S+ from --key /);
    const bad = await runMain('inspect', flipSignature(valid), '--key', join(FIXTURES, f));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL +signature +signature does not verify with credential 1c3a79d1/);
  });

  it('--key of another key: the kid line says which kid the key has', async () => {
    const r = await runMain('inspect', valid, '--key', join(FIXTURES, 'rsa.pkcs8.pem'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('kid ' + fps['ec.pub.pem'] + ' matches no credential of the device (--key ' + join(FIXTURES, 'rsa.pkcs8.pem') + ' has kid ' + fps['rsa.pub.pem'] + '; for a registered certificate, pass the certificate as --key)');
    expect(r.stdout).not.toMatch(/PRIVATE|[A-Za-z0-9+/]{80,}/);
  });

  it('--key refuses what the registry would refuse', async () => {
    const r = await runMain('inspect', valid, '--key', join(FIXTURES, 'rsa1024.pub.pem'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^akenza-device inspect: RSA_KEY_TOO_SMALL: /);
  });

  it('no key: every rule but kid and signature; exit 0 when those pass', async () => {
    const r = await runMain('inspect', valid, '--json');
    expect(r.code).toBe(0);
    const x = JSON.parse(r.stdout);
    expect(x).toMatchObject({ accepted: true, connack: 0, signatureChecked: false, deviceId: 'd1', audience: AUD('d1'), header: { alg: 'ES256', kid: fps['ec.pub.pem'] } });
    expect(x.checks.find((k: { check: string }) => k.check === 'signature')).toEqual({ check: 'signature', ok: null, detail: 'signature not checked: pass --key FILE or --registry FILE' });
    const expired = await runMain('inspect', tok(ec1, 'd1', {}, { iat: now - 7200, exp: now - 3000 }));
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/FAIL +exp +exp passed 50 min ago/);
    expect(expired.stdout).toMatch(/--  +signature +signature not checked/);
  });

  it('--audience-base, the registry audienceBase, --max-lifetime', async () => {
    const acme = tok(ec1, 'd1', {}, { aud: 'https://acme.akenza.io/devices/d1' });
    const plain = await runMain('inspect', acme, '--device', 'd1');
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/FAIL +aud +aud expected https:\/\/akenza\.io\/devices\/d1, got "https:\/\/acme\.akenza\.io\/devices\/d1"/);
    expect((await runMain('inspect', acme, '--device', 'd1', '--audience-base', 'https://acme.akenza.io')).code).toBe(0);
    const acmeReg = join(dir, 'acme.json');
    writeFileSync(acmeReg, JSON.stringify({ audienceBase: 'https://acme.akenza.io', devices: [{ deviceId: 'd1', credentials: [{ publicKey: fixture('ec.pub.pem') }] }] }));
    expect((await runMain('inspect', acme, '--registry', acmeReg)).code).toBe(0);
    const short = await runMain('inspect', valid, '--max-lifetime', '600');
    expect(short.code).toBe(1);
    expect(short.stdout).toMatch(/FAIL +lifetime +lifetime 3660 s exceeds the maximum of 600 s/);
  });

  it('no deviceId in aud and none given: refused, asks for --device', async () => {
    const r = await runMain('inspect', tok(ec1, 'x', {}, { aud: 'https://akenza.io/' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL +device +no deviceId: pass --device ID/);
  });

  it.each([
    [[], /expected exactly one TOKEN/],
    [['a.b.c', 'd.e.f'], /expected exactly one TOKEN/],
    [['a.b.c', '--key', 'k.pem', '--registry', 'r.json'], /--key or --registry, not both/],
    [['a.b.c', '--audience-base', 'ftp://x'], /http\(s\) URL/],
    [['a.b.c', '--max-lifetime', '1h'], /whole seconds/],
    [['a.b.c', '--verbose'], /Unknown option '--verbose'/],
  ])('usage error %j exits 2', async (args, msg) => {
    const r = await runMain('inspect', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toContain('usage: akenza-device inspect TOKEN');
  });

  it('as the built bin: TOKEN - reads stdin; exit codes 0 and 1 reach the shell', async () => {
    const ok = await runBin(['inspect', '-', '--key', join(FIXTURES, 'ec.pub.pem')], valid + '\n');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ACCEPTED: CONNACK 0/m);
    const no = await runBin(['inspect', flipSignature(valid), '--key', join(FIXTURES, 'ec.pub.pem'), '--json']);
    expect(no.code).toBe(1);
    expect(JSON.parse(no.stdout).accepted).toBe(false);
  });
});
