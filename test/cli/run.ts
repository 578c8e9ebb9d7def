// Runs the akenza-device CLI for tests: in-process through main() with captured output, or as the
// built bin (dist/node/cli.js, what `npx akenza-device` starts) in a child process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'dist', 'node', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** main() with stdout/stderr captured as text (one '\n' per line, as the bin writes them). */
export async function runMain(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (l) => (stdout += l + '\n'), err: (l) => (stderr += l + '\n') });
  return { code, stdout, stderr };
}

/** The built bin as a child process; `input` goes to its stdin. */
export function runBin(args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      if (typeof code !== 'number') return reject(err);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input === undefined ? '' : input);
  });
}
