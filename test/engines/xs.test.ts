// The moddable target inside Moddable's XS engine (xsnap CLI, built by scripts/engines/xs.mjs):
// the portable core mints a token (verified here with node:crypto), the MQTT codec fixtures
// round-trip, and the device runs its connection logic on the ECMA-419 adapter over a scripted transport.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { xsnapPath } from '../../scripts/engines/xs.mjs';
import { expectedFingerprints, fixture, nodeVerifyJwt } from '../helpers';

const here = join(import.meta.dirname, 'xs');
const variants = { 'p256 (default)': 'index.ts', noble: 'noble.ts' };

async function runInXs(entry: string) {
  const out = await build({
    entryPoints: [join(here, 'main.ts')], bundle: true, write: false, format: 'iife', target: 'es2020', platform: 'neutral', logLevel: 'silent',
    alias: {
      'akenza-moddable': join(import.meta.dirname, '..', '..', 'targets', 'moddable', entry),
      'embedded:io/socket/tcp': join(here, 'tcp.ts'), 'embedded:io/socket/tcp/tls': join(here, 'tls.ts'), 'embedded:io/socket/udp': join(here, 'udp.ts'), timer: join(here, 'timer.ts'), net: join(here, 'net.ts'), crypt: join(here, 'crypt.ts'),
    },
    define: { EC_KEY: JSON.stringify(fixture('ec.pkcs8.pem')), EC_CERT: JSON.stringify(fixture('ec.cert.pem')) },
  });
  const file = join(mkdtempSync(join(tmpdir(), 'xs-')), 'main.js');
  writeFileSync(file, out.outputFiles[0].text);
  const output = execFileSync(xsnapPath(), [file], { encoding: 'utf8', timeout: 120_000 });
  const results: { [name: string]: any } = {};
  for (const line of output.split('\n')) if (line.startsWith('RESULT ')) {
    const r = JSON.parse(line.slice(7));
    results[r.name] = r.value;
  }
  return { output, results };
}

describe.each(Object.entries(variants))('moddable target (%s) in XS (xsnap)', (_name, entry) => {
  let output = '';
  let results: { [name: string]: any } = {};
  beforeAll(async () => {
    expect(existsSync(xsnapPath()), 'the XS engine is built (npm test runs scripts/engines/xs.mjs first)').toBe(true);
    ({ output, results } = await runInXs(entry));
  }, 180_000);

  it('runs to the end with native BigInt', () => {
    expect(output).toContain('DONE');
    expect(results.engine.bigint).toBe('function');
  });
  it('mints an ES256 token that node:crypto verifies, with the fingerprint kid', () => {
    const d = nodeVerifyJwt(results.token.token, fixture('ec.pub.pem'));
    expect(d.header.kid).toBe(expectedFingerprints()['ec.pub.pem']);
    expect(d.claims.aud).toBe('https://akenza.io/devices/xs-dev');
    expect(results.token.certFingerprint).toBe(expectedFingerprints()['ec.cert.pem']);
    console.log(`XS ES256 mint (${entry}): ${results.token.msPerMint.toFixed(2)} ms (${results.token.mints} mints)`);
  });
  it('round-trips every MQTT codec fixture (encode, byte-at-a-time parse, mirror)', () => {
    expect(results.codec.failures).toEqual([]);
    expect(results.codec.ok).toBe(results.codec.total);
    expect(results.codec.total).toBeGreaterThanOrEqual(15);
  });
  it('connects over the ECMA-419 adapter, publishes QoS 1, refreshes its token, publishes again', () => {
    const dev = results.device;
    expect(dev.events).toEqual(['connected', 'tokenRefreshed', 'disconnected:planned', 'connected']);
    expect(dev.acked).toBe(3);
    expect(dev.largestWrite).toBeLessThanOrEqual(256); // the 600-byte publish went out in writable-sized pieces
    expect(dev.connects.map((c: any) => c.clientId)).toEqual(['xs-dev', 'xs-dev']);
    for (const c of dev.connects) nodeVerifyJwt(c.password, fixture('ec.pub.pem'));
    expect(dev.published.map((p: any) => [p.topic, p.payload, p.qos])).toEqual([
      ['/up/device/id/xs-dev/engines', '{"engine":"xs"}', 1],
      ['/up/device/id/xs-dev/engines', '{"engine":"xs","after":"refresh"}', 1],
      ['/up/device/id/xs-dev/engines', '{"big":"' + 'x'.repeat(600) + '"}', 1],
    ]);
  });
});
