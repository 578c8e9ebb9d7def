// The portable core stays portable: no Node built-ins, Buffer or TextEncoder in src/ outside
// mock/ and cli/, no BigInt outside *.bigint.* / noble files, and it bundles under the Espruino profile.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ESPRUINO_FORBIDDEN, ESPRUINO_SUPPORTED } from '../../scripts/espruino-profile.mjs';

const src = join(import.meta.dirname, '..', '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const core = files(src).filter((f) => !/^(mock|cli)[\\/]/.test(relative(src, f)));
/** Source without comments: the rules are about code, and comments may name what they avoid. */
const code = (f: string) => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');


describe('portable core', () => {
  it('imports no Node built-ins and uses no Buffer/TextEncoder', () => {
    expect(core.length).toBeGreaterThan(10);
    for (const f of core) {
      const text = code(f);
      expect(text, f).not.toMatch(/from ['"](node:|fs|net|tls|crypto|http|dgram)/);
      expect(text, f).not.toMatch(/\bBuffer\b|\bTextEncoder\b|\bTextDecoder\b/);
    }
  });
  it('keeps BigInt in files named for it (or built on noble)', () => {
    for (const f of core) {
      if (/\.bigint\.ts$|\.noble\.ts$/.test(f)) continue;
      expect(code(f), f).not.toMatch(/\b[0-9]+n\b|\bBigInt\b/);
    }
  });
  it('the BigInt-free core (keys, PEM, DER, JWT, hashes, MQTT, device, uplinks) bundles under the Espruino profile with no missing APIs', async () => {
    const entry = [
      "export { parsePrivateKey, parsePublicKey, publicKeyOf, ecSpki } from './keys';",
      "export { fingerprint } from './keys';",
      "export { mintJwt, jwtParts, signingInput } from './jwt';",
      "export { makeSignJwt } from './sign/sign-jwt';",
      "export { hmac } from './hash/hmac';",
      "export { sha256 } from './hash/sha256';",
      "export { encodePem } from './pem';",
      "export { createDevice } from './device/device';",
      "export { openSession } from './mqtt/session';",
      "export { createHttpUplink, createCoapUplink, createUdpUplink, frameUdpUplink } from './uplink/index';",
      "export { parseCoap, encodeCoap } from './uplink/coap/codec';",
      "export { createCoapClient } from './uplink/coap/client';",
      "export { httpOverSocket, parseHttpResponse } from './uplink/http1';",
    ].join('\n');
    const out = await build({
      stdin: { contents: entry, resolveDir: src, loader: 'ts' }, bundle: true, write: false, minify: true,
      format: 'cjs', target: 'es2020', supported: ESPRUINO_SUPPORTED, logLevel: 'silent',
    });
    const js = out.outputFiles[0].text;
    for (const re of ESPRUINO_FORBIDDEN) expect(js).not.toMatch(re);
    expect(js.length).toBeGreaterThan(1000);
  });
});
