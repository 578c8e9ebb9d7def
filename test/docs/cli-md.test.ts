// docs/cli.md: its ```sh examples run as written (in order, in one empty directory, `npx akenza-device`
// being the built bin), and it documents every command `--help` lists. ```shell blocks are the
// long-running ones (mock), shown but not run.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, runBin } from '../cli/run';

const doc = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
const blocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

function bash(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', script], { cwd }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code) : 0, stdout, stderr }));
  });
}

describe('docs/cli.md', () => {
  it('its sh examples run as written and exit 0', async () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const shim = 'set -eo pipefail\nnpx() { if [ "$1" = akenza-device ]; then shift; "' + process.execPath + '" "' + BIN + '" "$@"; else command npx "$@"; fi; }\n';
    const r = await bash(shim + blocks.join('\n'), mkdtempSync(join(tmpdir(), 'akenza-cli-docs-')));
    expect(r.stderr).not.toMatch(/akenza-device \w+: /); // no command complained
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ACCEPTED: CONNACK 0: accepted \(ES256, kid [0-9a-f]{40}\)$/m);
    expect(r.stdout).toMatch(/FAIL +aud +aud expected https:\/\/akenza\.io\/devices\/another-device, got "https:\/\/akenza\.io\/devices\/a1b2c3d4e5f60718"/);
    expect(r.stdout).toContain('refused, exit status 1');
    expect(r.stdout).toMatch(/^subject=CN ?= ?a1b2c3d4e5f60718$/m);
  });

  it('documents every command and the exit codes', async () => {
    const commands = [...(await runBin(['--help'])).stdout.matchAll(/^  ([a-z]+) {2,}/gm)].map((m) => m[1]);
    for (const c of commands) expect(doc, 'section for ' + c).toMatch(new RegExp('^## ' + c + '$', 'm'));
    for (const code of ['0', '1', '2']) expect(doc).toMatch(new RegExp('^\\| ' + code + ' \\| ', 'm'));
  });
});
