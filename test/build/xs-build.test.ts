// `pretest` builds the XS CLI quietly: the compiler's output goes to a log file, one line is printed
// on success, the log's tail on failure (scripts/engines/xs.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLogged, tail, xsnapPath } from '../../scripts/engines/xs.mjs';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'akenza-xs-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A stand-in for the compiler: 51 copies of the warning on stderr, a line on stdout, then `code`.
const noisy = (code: number) => ['-c', 'for i in $(seq 1 51); do echo "warning: \\"__has_builtin\\" redefined ($i)" >&2; done; echo "linked"; exit ' + code];

describe('scripts/engines/xs.mjs', () => {
  it('runLogged keeps a command\'s stdout and stderr in the log and returns quietly on success', () => {
    const log = join(tmp, 'ok.log');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `import { runLogged } from ${JSON.stringify(join(root, 'scripts/engines/xs.mjs'))}; runLogged('sh', ${JSON.stringify(noisy(0))}, '.', ${JSON.stringify(log)});`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
    const text = readFileSync(log, 'utf8');
    expect(text.match(/__has_builtin/g)).toHaveLength(51);
    expect(text).toContain('linked');
  });

  it('runLogged throws on failure with the exit status and only the log\'s tail', () => {
    const log = join(tmp, 'fail.log');
    let err: Error | undefined;
    try {
      runLogged('sh', noisy(2), tmp, log, 5);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeDefined();
    expect(err!.message).toMatch(/^sh failed \(exit 2\); last lines of .*fail\.log:\n/);
    expect(err!.message).toContain('linked');
    expect(err!.message).toContain('(51)');
    expect(err!.message).not.toContain('(46)'); // only the last 5 lines
    expect(err!.message.match(/__has_builtin/g)).toHaveLength(4);
    expect(() => runLogged('no-such-compiler-xyz', [], tmp, join(tmp, 'enoent.log'))).toThrow(/no-such-compiler-xyz failed \(.*ENOENT/);
  });

  it('tail keeps the last n lines', () => {
    expect(tail('a\nb\nc\nd\n', 2)).toBe('c\nd');
    expect(tail('a', 5)).toBe('a');
  });

  it('prints one line and nothing on stderr once the engine is built (as pretest did before this run)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts/engines/xs.mjs')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toContain(xsnapPath());
  });
});
