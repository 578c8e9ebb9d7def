// The README's examples run as written.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('examples', () => {
  it('npm start: the demo connects a device to the mock cloud over TLS, sends, receives, renews its token', async () => {
    const { stdout } = await run('npm', ['start', '--silent'], { cwd: root, timeout: 60_000 });
    expect(stdout).toMatch(/device: connected, token valid until/);
    expect(stdout).toMatch(/cloud: uplink from a1b2c3d4e5f60718 on "environment" over mqtts: \{"temperature":21.5,"humidity":40\}/);
    expect(stdout).toMatch(/device: downlink on "commands": \{"led":"on"\}/);
    expect(stdout).toMatch(/device: disconnected \(token refresh\)/);
    expect(stdout).toMatch(/cloud: 2 uplinks, 2 accepted connects, 0 refused/);
    expect(stdout).not.toMatch(/PRIVATE KEY|eyJ/); // no key or token in the output
    expect(stdout.trim().endsWith('done')).toBe(true);
  });
  it('examples/node/quickstart.mjs mints a token that verifies', async () => {
    const { stdout } = await run('node', ['examples/node/quickstart.mjs', 'dev-42'], { cwd: root });
    expect(stdout).toMatch(/-----BEGIN PUBLIC KEY-----/);
    expect(stdout).not.toMatch(/PRIVATE KEY/);
    expect(stdout).toContain('"aud":"https://akenza.io/devices/dev-42"');
    expect(stdout).toContain('signature verifies with node:crypto: true');
  });
});
