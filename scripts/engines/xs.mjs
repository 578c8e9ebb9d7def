// Builds the Moddable XS command-line engine (xsnap) once, from the pinned npm package
// @agoric/xsnap@0.15.0 (its tarball carries the XS and xsnap sources), into node_modules/.cache.
// Prints the binary's path. Run by `npm test` (pretest); about 25 s the first time, instant after.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = '0.15.0';
const root = new URL('..', new URL('..', import.meta.url)).pathname;
const dir = join(root, 'node_modules', '.cache', 'akenza-engines', 'xsnap-' + VERSION);
const bin = join(dir, 'package', 'moddable', 'build', 'bin', 'lin', 'release', 'xsnap');

export function xsnapPath() {
  return bin;
}

function build() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // npm pack fetches only this package's tarball: no dependencies, no install scripts.
  const tgz = execFileSync('npm', ['pack', '@agoric/xsnap@' + VERSION, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', tgz], { cwd: dir });
  const pkg = join(dir, 'package');
  execFileSync('make', ['-C', 'xsnap-native/xsnap/makefiles/lin', '-f', 'xsnap.mk', 'GOAL=release', 'MODDABLE=' + join(pkg, 'moddable'), 'CC=cc "-D__has_builtin(x)=1"', '-j2'], { cwd: pkg, stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(bin)) throw new Error('xsnap build finished without ' + bin);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  if (!existsSync(bin)) {
    process.stderr.write('building the XS engine (xsnap ' + VERSION + ') once...\n');
    build();
  }
  console.log(bin);
}
