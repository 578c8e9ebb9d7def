// Helpers for the package tests: npm run as a user would in another folder, and what `npm pack` ships.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment a user's shell would give npm: without the npm_* variables `npm test` sets (its
 * npm_config_local_prefix would make a nested npm treat this checkout as the project), the registry
 * and cache settings kept, and without this checkout's node_modules/.bin on PATH.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const keep = ['npm_config_registry', 'npm_config_cache', 'npm_config_userconfig', 'npm_config_globalconfig'];
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) || keep.includes(k.toLowerCase())) env[k] = v;
  env.PATH = (process.env.PATH || '').split(':').filter((p) => !p.startsWith(ROOT)).join(':');
  env.npm_config_update_notifier = 'false';
  delete env.INIT_CWD;
  return env;
}

/** Runs a command to its end (at most `timeoutMs`) in `cwd`; `input` goes to its stdin. */
export function run(cmd: string, args: string[], cwd: string, input = '', timeoutMs = 120_000): Run {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), input, encoding: 'utf8', timeout: timeoutMs });
  if (r.error) throw r.error;
  return { code: r.status === null ? -1 : r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The files `npm pack` would ship from this checkout (the dist/ already built; no script is run). */
export function shippedFiles(): string[] {
  const r = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
  if (r.code !== 0) throw new Error('npm pack --dry-run failed: ' + r.stderr);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort();
}
