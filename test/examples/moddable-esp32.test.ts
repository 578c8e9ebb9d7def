// examples/moddable-esp32: the manifest is valid and names files that exist, every module main.js imports
// is provided by a manifest it includes, and main.js itself runs in Moddable's XS engine (xsnap) on the
// moddable bundle from dist/, with stand-ins for mc/config, preference, hwrandom and the ECMA-419 sockets
// (the scripted broker of test/engines/xs). Not proven here: mcconfig itself, TLS, WiFi, SNTP, NVS.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { xsnapPath } from '../../scripts/engines/xs.mjs';
import { fingerprint } from '../../src/keys';
import { nodeVerifyJwt } from '../helpers';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'moddable-esp32');
const here = join(import.meta.dirname, 'moddable');
const xs = join(root, 'test', 'engines', 'xs');

async function runFirmware(seed: number, storedKey: string | null) {
  const out = await build({
    entryPoints: [join(here, 'driver.ts')], bundle: true, write: false, format: 'iife', target: 'es2020', platform: 'neutral', logLevel: 'silent',
    alias: {
      'akenza-device': join(root, 'dist', 'moddable', 'akenza-device.js'),
      'embedded:io/socket/tcp': join(xs, 'tcp.ts'), 'embedded:io/socket/tcp/tls': join(xs, 'tls.ts'), 'embedded:io/socket/udp': join(xs, 'udp.ts'), timer: join(xs, 'timer.ts'), net: join(xs, 'net.ts'), crypt: join(xs, 'crypt.ts'),
      'mc/config': join(here, 'config.ts'), preference: join(here, 'preference.ts'), hwrandom: join(here, 'hwrandom.ts'), ca: join(example, 'ca.js'),
    },
    define: { SEED: String(seed), STORED_KEY: JSON.stringify(storedKey) },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'xs-example-')), 'main.js');
  writeFileSync(file, out.outputFiles[0].text);
  const output = execFileSync(xsnapPath(), [file], { encoding: 'utf8', timeout: 120_000 });
  expect(output).toContain('DONE');
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  return JSON.parse((line as string).slice(7)) as { traced: string[]; connects: { clientId: string; password: string }[]; published: { topic: string; payload: string; qos: number }[]; storedKey: string };
}

describe('examples/moddable-esp32', () => {
  it('manifest.json is valid JSON, includes the SDK manifest, and its local modules exist', () => {
    const m = JSON.parse(readFileSync(join(example, 'manifest.json'), 'utf8'));
    expect(m.include).toContain('./akenza-device/manifest.json');
    for (const mod of m.modules['*']) expect(existsSync(join(example, mod + '.js')), mod).toBe(true);
    expect(existsSync(join(example, 'hwrandom.c'))).toBe(true);
    // What the README copies in as ./akenza-device: the built module and its manifest.
    const sdk = JSON.parse(readFileSync(join(root, 'dist', 'moddable', 'manifest.json'), 'utf8'));
    expect(sdk.modules['akenza-device']).toBe('./akenza-device');
    expect(existsSync(join(root, 'dist', 'moddable', 'akenza-device.js'))).toBe(true);
    expect(m.config).toMatchObject({ sntp: expect.any(String), deviceId: expect.any(String), mqttUrl: expect.stringMatching(/^mqtts:\/\//), intervalS: expect.any(Number) });
  });

  it('every module main.js imports comes from a manifest it includes', () => {
    const src = readFileSync(join(example, 'main.js'), 'utf8');
    const imported = [...src.matchAll(/^import .* from "([^"]+)";$/gm)].map((x) => x[1]).sort();
    const m = JSON.parse(readFileSync(join(example, 'manifest.json'), 'utf8'));
    const providers: { [name: string]: string } = {
      'mc/config': 'mcconfig (the manifest\'s "config")',
      timer: '$(MODDABLE)/examples/manifest_base.json',
      preference: '$(MODDABLE)/modules/files/preference/manifest.json',
      'akenza-device': './akenza-device/manifest.json',
      ca: './ca', hwrandom: './hwrandom',
    };
    expect(imported).toEqual(Object.keys(providers).sort());
    for (const p of Object.values(providers)) if (!p.startsWith('mcconfig')) expect([...m.include, ...m.modules['*']]).toContain(p);
  });

  describe('main.js in XS (xsnap)', () => {
    let first: Awaited<ReturnType<typeof runFirmware>>;
    let publicKeyPem = '';

    it('first boot: makes the key from hwrandom, stores only the 32-byte scalar, traces the public key, connects with a verifiable JWT and publishes', async () => {
      expect(existsSync(xsnapPath()), 'the XS engine is built (npm test runs scripts/engines/xs.mjs first)').toBe(true);
      first = await runFirmware(1, null);
      const text = first.traced.join('\n');
      expect(text).toContain('first boot: making an ES256 key pair');
      expect(text).not.toMatch(/PRIVATE KEY/);
      const pem = /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/.exec(text);
      expect(pem).not.toBeNull();
      publicKeyPem = (pem as RegExpExecArray)[0] + '\n';
      expect(text).toContain(`Register this public key for device xs-example (kid ${fingerprint(publicKeyPem)}):`);
      expect(first.storedKey).toMatch(/^[0-9a-f]{64}$/);
      expect(first.connects.map((c) => c.clientId)).toEqual(['xs-example']);
      const jwt = nodeVerifyJwt(first.connects[0].password, publicKeyPem);
      expect(jwt.header.kid).toBe(fingerprint(publicKeyPem));
      expect(jwt.claims.aud).toBe('https://akenza.io/devices/xs-example');
      // intervalS 1 over 3.5 virtual seconds: readings 1..4, QoS 1, on the environment sub-topic.
      expect(first.published.map((p) => [p.topic, JSON.parse(p.payload).n, p.qos])).toEqual([1, 2, 3, 4].map((n) => ['/up/device/id/xs-example/environment', n, 1]));
      expect(text).toMatch(/^sent \{"temperature":[\d.]+,"n":1\}$/m);
    }, 180_000);

    it('next boot: reuses the stored key (no new key), and its JWT verifies with the first boot\'s public key', async () => {
      expect(first).toBeDefined();
      const second = await runFirmware(2, first.storedKey);
      expect(second.traced.join('\n')).not.toMatch(/first boot|Register this public key/);
      expect(second.storedKey).toBe(first.storedKey);
      expect(nodeVerifyJwt(second.connects[0].password, publicKeyPem).claims.aud).toBe('https://akenza.io/devices/xs-example');
      expect(second.published.length).toBeGreaterThanOrEqual(3);
    }, 180_000);
  });
});
