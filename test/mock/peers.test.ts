// The mock's npm packages are optional peer dependencies: a missing one is a MockDependencyError that
// names it and the install command, with the versions package.json pins for this repository's tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMockPeers, MOCK_PEERS, MockDependencyError } from '../../src/mock/peers';
import { MockSetupError } from '../../src/mock/setup-error';

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));

describe('the mock cloud\'s optional peer dependencies', () => {
  it('a missing package is a MockDependencyError naming it and the npm command', () => {
    let err: unknown;
    try {
      checkMockPeers((p) => p !== 'ws');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MockDependencyError);
    expect(err).toBeInstanceOf(MockSetupError); // the CLI prints it and exits 1
    const e = err as MockDependencyError;
    expect(e.missing).toEqual(['ws']);
    expect(e.command).toBe('npm install --save-dev ws@' + MOCK_PEERS.ws);
    expect(e.message).toContain(e.command);
    expect(() => checkMockPeers(() => false)).toThrow('npm install --save-dev mqtt-packet@' + MOCK_PEERS['mqtt-packet'] + ' ws@' + MOCK_PEERS.ws);
    expect(() => checkMockPeers()).not.toThrow(); // installed here, as devDependencies
  });

  it('package.json: peers optional, pinned as devDependencies at the versions the message names, not dependencies', () => {
    for (const [name, version] of Object.entries(MOCK_PEERS)) {
      expect(pkg.devDependencies[name], name).toBe(version);
      expect(pkg.peerDependencies[name], name).toBe('^' + version);
      expect(pkg.peerDependenciesMeta[name], name).toEqual({ optional: true });
    }
    // what `akenza-device` and `akenza-device/node` import, and nothing else
    expect(Object.keys(pkg.dependencies)).toEqual(['@noble/curves']);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(Object.keys(MOCK_PEERS).sort());
  });

  it('the install commands in the README, docs and examples name the same versions', () => {
    const root = join(import.meta.dirname, '..', '..');
    const pages = ['README.md', 'docs/cli.md', 'examples/ci/README.md', 'examples/ci/.github/workflows/firmware.yml', 'examples/node-simulator/README.md'];
    const named = pages.flatMap((f) => [...readFileSync(join(root, f), 'utf8').matchAll(/\b(mqtt-packet|ws)@(\d[\w.-]*)/g)].map((m) => [f, m[1], m[2]]));
    expect(named.length).toBeGreaterThanOrEqual(8);
    for (const [f, name, version] of named) expect(version, f + ': ' + name).toBe(MOCK_PEERS[name as keyof typeof MOCK_PEERS]);
  });
});
