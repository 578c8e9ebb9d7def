// The README's examples run as written.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

describe('examples', () => {
  it('npm start (examples/node/quickstart.mjs) mints a token that verifies', async () => {
    const { stdout } = await run('npm', ['start', '--silent', '--', 'dev-42'], { cwd: root });
    expect(stdout).toMatch(/-----BEGIN PUBLIC KEY-----/);
    expect(stdout).not.toMatch(/PRIVATE KEY/);
    expect(stdout).toContain('"aud":"https://akenza.io/devices/dev-42"');
    expect(stdout).toContain('signature verifies with node:crypto: true');
  });
});
