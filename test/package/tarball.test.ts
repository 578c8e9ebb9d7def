// The package as users get it: `npm pack` (of the dist/ this run built; no script run) installed into
// an empty project in another folder. There the CLI runs the README's commands, `akenza-device` and
// `akenza-device/node` sign tokens node:crypto verifies, `npm ls --omit=dev` lists no mock package,
// the mock says which packages it lacks until they are installed, and TypeScript users' projects
// type-check against the shipped declarations. Needs npm registry access
// (or the packages in npm's cache: installs prefer it).
import { createPublicKey, verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run, type Run } from './pack';

const DEVICE = 'a1b2c3d4e5f60718';
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

/** Verifies an ES256 JWT with node:crypto; returns its claims. */
function verifyEs256(token: string, publicPem: string): { aud?: string; exp?: number } {
  const [h, p, s] = token.split('.');
  expect(JSON.parse(Buffer.from(h, 'base64url').toString()).alg).toBe('ES256');
  const ok = verify('sha256', Buffer.from(h + '.' + p), { key: createPublicKey(publicPem), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  expect(ok, 'signature').toBe(true);
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

describe('the packed tarball installed into an empty project', () => {
  let dir = '';
  let app = '';
  const npx = (args: string[], input = '') => run('npx', ['--no', '--', 'akenza-device', ...args], app, input);
  const node = (file: string) => run(process.execPath, [file], app);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'akenza-pack-'));
    app = join(dir, 'app');
    mkdirSync(app);
    const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    const tgz = join(dir, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const install = run('npm', ['install', tgz, '--no-audit', '--no-fund', '--prefer-offline'], app);
    expect(install.code, install.stderr).toBe(0);
  }, 180_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('declares no install-time script and ships what package.json points at', () => {
    const installed = join(app, 'node_modules', 'akenza-device');
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[s], s).toBeUndefined();
    expect(statSync(join(installed, pkg.bin['akenza-device'])).mode & 0o111).not.toBe(0);
    expect(statSync(join(installed, 'docs', 'cli.md')).isFile()).toBe(true); // the CLI's help cites it
  });

  it('npm ls --omit=dev lists akenza-device and @noble only: no mock package', () => {
    const ls = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], app);
    const names = ls.stdout
      .split('\n')
      .filter((l) => l.includes('node_modules'))
      .map((l) => l.slice(l.lastIndexOf('node_modules/') + 'node_modules/'.length))
      .sort();
    expect(names).toEqual(['@noble/curves', '@noble/hashes', 'akenza-device']);
    // the mock's packages show as optional peers not installed
    const tree = JSON.parse(run('npm', ['ls', '--omit=dev', '--all', '--json'], app).stdout).dependencies['akenza-device'].dependencies;
    expect(Object.keys(tree).filter((n) => tree[n].version)).toEqual(['@noble/curves']);
    expect(Object.keys(tree).filter((n) => !tree[n].version).sort()).toEqual(['mqtt-packet', 'ws']);
  }, 60_000);

  it('runs the CLI: -v, --help, and the README\'s keygen, fingerprint, jwt, cert and inspect', () => {
    expect(npx(['-v']).stdout.trim()).toBe(version);
    expect(npx(['--version']).stdout.trim()).toBe(version);
    const help = npx(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: akenza-device <command>');
    const keygen = npx(['keygen', '--alg', 'ES256', '--out', 'device']);
    expect(keygen.code, keygen.stderr).toBe(0);
    expect(statSync(join(app, 'device.key.pem')).mode & 0o777).toBe(0o600);
    const kid = npx(['fingerprint', 'device.pub.pem']).stdout.trim();
    expect(kid).toMatch(/^[0-9a-f]{64}$/);
    const jwt = npx(['jwt', '--key', 'device.key.pem', '--device', DEVICE, '--lifetime', '3600', '--kid', 'auto']);
    expect(jwt.code, jwt.stderr).toBe(0);
    const token = jwt.stdout.trim();
    const claims = verifyEs256(token, readFileSync(join(app, 'device.pub.pem'), 'utf8'));
    expect(claims.aud).toBe('https://akenza.io/devices/' + DEVICE);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid).toBe(kid);
    expect(npx(['cert', '--key', 'device.key.pem', '--device', DEVICE, '--out', 'device.cert.pem']).code).toBe(0);
    expect(readFileSync(join(app, 'device.cert.pem'), 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    const inspect = npx(['inspect', token, '--key', 'device.pub.pem', '--device', DEVICE]);
    expect(inspect.code, inspect.stdout + inspect.stderr).toBe(0);
  }, 120_000);

  it('akenza-device and akenza-device/node sign JWTs that node:crypto verifies', () => {
    const pair = npx(['keygen', '--out', 'node-device']);
    expect(pair.code, pair.stderr).toBe(0);
    writeFileSync(
      join(app, 'sign.mjs'),
      [
        "import { readFileSync } from 'node:fs';",
        "import * as core from 'akenza-device';",
        "import * as node from 'akenza-device/node';",
        "const privateKey = readFileSync('node-device.key.pem', 'utf8');",
        "const o = { privateKey, deviceId: '" + DEVICE + "', lifetimeS: 600 };",
        'console.log(await core.signJwt(o));',
        'console.log(await node.signJwt(o));',
      ].join('\n'),
    );
    const r = node('sign.mjs');
    expect(r.code, r.stderr).toBe(0);
    const tokens = r.stdout.trim().split('\n');
    expect(tokens).toHaveLength(2);
    const pub = readFileSync(join(app, 'node-device.pub.pem'), 'utf8');
    for (const t of tokens) expect(verifyEs256(t, pub).aud).toBe('https://akenza.io/devices/' + DEVICE);
  }, 60_000);

  /** Type-checks `files` in the app as a TypeScript user would (declarations checked too), with Node's
   *  own module resolution or a bundler's; @types/node from this checkout. Returns tsc's output. */
  const typecheck = (files: string[], resolution: 'nodenext' | 'bundler'): Run => {
    const config = 'tsconfig.' + resolution + '.json';
    const options = { module: resolution === 'bundler' ? 'esnext' : 'nodenext', moduleResolution: resolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [join(ROOT, 'node_modules', '@types')] };
    writeFileSync(join(app, config), JSON.stringify({ compilerOptions: options, files }));
    return run(process.execPath, [TSC, '-p', config], app);
  };

  it('TypeScript users: the declarations of akenza-device and akenza-device/node type-check under moduleResolution nodenext and bundler', () => {
    writeFileSync(
      join(app, 'check.ts'),
      [
        "import { signJwt, type SignJwtOptions } from 'akenza-device';",
        "import { signJwt as nodeSignJwt, decryptPrivateKey, createDevice, type NodeSignJwtOptions } from 'akenza-device/node';",
        "const o: SignJwtOptions = { privateKey: 'x', deviceId: 'd' };",
        "const n: NodeSignJwtOptions = { ...o, passphrase: 'p' };",
        'export const tokens: Promise<string>[] = [signJwt(o), nodeSignJwt(n)];',
        "export const plain: string = decryptPrivateKey('x', 'y');",
        'export const make = typeof createDevice;',
      ].join('\n'),
    );
    for (const resolution of ['nodenext', 'bundler'] as const) {
      const r = typecheck(['check.ts'], resolution);
      expect(r.stdout + r.stderr, resolution).toBe('');
      expect(r.code, resolution).toBe(0);
    }
  }, 120_000);

  it('the mock without its peer packages names the command; installed, it starts', () => {
    writeFileSync(join(app, 'registry.json'), JSON.stringify({ devices: [] }));
    const cli = npx(['mock', '--registry', 'registry.json', '--mqtt-port', '0']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^akenza-device mock: the mock cloud needs mqtt-packet and ws .*: npm install --save-dev mqtt-packet@\d+\.\d+\.\d+ ws@\d+\.\d+\.\d+\n$/);
    expect(npx(['simulate', '--devices', '1', '--duration', '1']).stderr).toContain('npm install --save-dev mqtt-packet@');
    writeFileSync(
      join(app, 'mock.mjs'),
      [
        "import { startMockCloud } from 'akenza-device/mock';",
        'try {',
        "  const cloud = await startMockCloud({ registry: { devices: [] } });",
        "  console.log('started ' + typeof cloud.mqttPort);",
        '  await cloud.close();',
        '} catch (e) {',
        "  console.log(e.name + ' ' + e.missing.join(',') + ' | ' + e.command);",
        '}',
      ].join('\n'),
    );
    const without = node('mock.mjs');
    expect(without.stdout.trim()).toMatch(/^MockDependencyError mqtt-packet,ws \| npm install --save-dev mqtt-packet@[\d.]+ ws@[\d.]+$/);
    // the command it names, as a user would run it
    const cmd = without.stdout.trim().split(' | ')[1].split(' ');
    const install = run(cmd[0], [...cmd.slice(1), '--no-audit', '--no-fund', '--prefer-offline'], app);
    expect(install.code, install.stderr).toBe(0);
    expect(node('mock.mjs').stdout.trim()).toBe('started number');
    // and its declarations type-check with them (mqtt-packet ships its types; no @types/ws needed)
    writeFileSync(join(app, 'mock.ts'), "import { startMockCloud, type MockCloud } from 'akenza-device/mock';\nexport const cloud: Promise<MockCloud> = startMockCloud({ registry: { devices: [] } });\n");
    const types = typecheck(['mock.ts'], 'nodenext');
    expect(types.stdout + types.stderr).toBe('');
  }, 180_000);
});
