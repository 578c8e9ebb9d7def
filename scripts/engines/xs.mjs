// Builds the Moddable XS command-line engine (xsnap) once, from the pinned npm package
// @agoric/xsnap@0.15.0 (its tarball carries the XS and xsnap sources), into node_modules/.cache.
// Run by `npm test` (pretest); 25 to 100 s the first time (machine load), instant after. Needs npm registry access
// (npm pack), tar, make and a C compiler (`cc`). The compiler's output (dozens of warnings from the
// XS sources) goes to a log file beside the build: one line on success, the log's tail on failure.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = '0.15.0';
const root = new URL('..', new URL('..', import.meta.url)).pathname;
const dir = join(root, 'node_modules', '.cache', 'akenza-engines', 'xsnap-' + VERSION);
const binIn = (d) => join(d, 'package', 'moddable', 'build', 'bin', 'lin', 'release', 'xsnap');
const bin = binIn(dir);

export function xsnapPath() {
  return bin;
}

/** The last `n` lines of a text. */
export function tail(text, n) {
  const lines = text.replace(/\n+$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}

/**
 * Runs `cmd args` in `cwd` with stdout and stderr appended to the file `log`; throws an Error
 * naming the command, its exit status and the log's last `tailLines` lines when it fails.
 */
export function runLogged(cmd, args, cwd, log, tailLines = 30) {
  const fd = openSync(log, 'a');
  let r;
  try {
    r = spawnSync(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? 'killed by ' + r.signal : 'exit ' + r.status;
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    const err = new Error(cmd + ' failed (' + why + '); last lines of ' + log + ':\n' + tail(text, tailLines));
    err.log = log;
    throw err;
  }
}

/** Fetches and builds xsnap into `into` (emptied first); returns the binary's path. The full output is in `into`/build.log. */
export function build(into = dir) {
  rmSync(into, { recursive: true, force: true });
  mkdirSync(into, { recursive: true });
  const log = join(into, 'build.log');
  // npm pack fetches only this package's tarball: no dependencies, no install scripts.
  runLogged('npm', ['pack', '@agoric/xsnap@' + VERSION, '--silent', '--no-audit', '--no-fund'], into, log);
  const tgz = readdirSync(into).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack left no tarball in ' + into + ' (log: ' + log + ')');
  runLogged('tar', ['xzf', tgz], into, log);
  const pkg = join(into, 'package');
  // -D__has_builtin(x)=1: XS's sources test __has_builtin without defining a fallback for old compilers;
  // each file then warns "__has_builtin redefined" (kept in the log, not printed).
  runLogged('make', ['-C', 'xsnap-native/xsnap/makefiles/lin', '-f', 'xsnap.mk', 'GOAL=release', 'MODDABLE=' + join(pkg, 'moddable'), 'CC=cc "-D__has_builtin(x)=1"', '-j2'], pkg, log);
  const out = binIn(into);
  if (!existsSync(out)) throw new Error('xsnap build finished without ' + out + ' (log: ' + log + ')');
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  if (existsSync(bin)) {
    console.log('XS engine (xsnap ' + VERSION + '): ' + bin);
  } else {
    const t0 = Date.now();
    process.stdout.write('building the XS engine (xsnap ' + VERSION + ') once (25 to 100 s)... ');
    try {
      build();
      process.stdout.write('done in ' + Math.round((Date.now() - t0) / 1000) + ' s: ' + bin + ' (compiler log: ' + join(dir, 'build.log') + ')\n');
    } catch (e) {
      process.stdout.write('failed\n');
      process.stderr.write('building the XS engine (xsnap ' + VERSION + ') failed: ' + e.message + '\n');
      process.stderr.write('needs: npm registry access (npm pack @agoric/xsnap@' + VERSION + '), tar, make and a C compiler (cc); see the README, Requirements.\n');
      process.exit(1);
    }
  }
}
