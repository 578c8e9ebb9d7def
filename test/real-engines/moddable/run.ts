// Builds and runs a Moddable app in the real Moddable SDK (lin, headless) through the kit's
// run-app.sh, streaming its `@@ {json}` lines to the caller. Each app name builds into one
// persistent folder under the engines cache, so a re-run compiles only what changed (the first
// build of a name compiles the XS engine: 20-30 s). Every process started here is ended by its
// process group id when the run ends, and by killAll() (afterAll) if a test gave up on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir } from '../../../scripts/engines/real.mjs';
import type { RealEngines } from '../kit';

const root = join(import.meta.dirname, '..', '..', '..');
/** The bundles under test: dist/moddable, or a copy of it named by AKENZA_MODDABLE_DIST. */
export const dist = process.env.AKENZA_MODDABLE_DIST || join(root, 'dist', 'moddable');

const running = new Set<ChildProcess>();

/** The pids below `pid` (children first found through /proc), deepest last. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'
      const stat = readFileSync(join('/proc', name, 'stat'), 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // ended meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/**
 * Ends run-app.sh and everything under it, by pid. Its process group is not enough: run-app.sh
 * starts mchost under timeout(1), which makes a process group of its own.
 */
function endGroup(child: ChildProcess): void {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const pids = [child.pid, ...descendants(child.pid)];
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Ends every app process still running (for afterAll). */
export function killAll(): void {
  for (const c of running) endGroup(c);
  running.clear();
}

/**
 * A fresh app folder named `name` (the name is the app's, and keeps its build folder): the SDK's
 * dist/moddable copied in as `akenza-device/` (as the README tells users), plus `files`.
 */
export function appFolder(name: string, files: { [path: string]: string }): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'akenza-moddable-')), name);
  mkdirSync(dir);
  cpSync(dist, join(dir, 'akenza-device'), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

export interface AppRun {
  /** run-app.sh's status: N from `@@exit N`, 124 timeout, 100 + s an XS abort, 125 no build. */
  status: number | null;
  /** Every stdout line. */
  lines: string[];
  /** The `@@ {json}` lines, parsed. */
  records: any[];
  stderr: string;
  /** run-app.sh's "built <app> in N s" figure. */
  buildS: number | null;
}

export interface RunOptions {
  timeoutS: number;
  args?: string[];
  /** Called for each `@@ {json}` line as it arrives (may start async work). */
  onRecord?: (record: any) => void;
  /** Called for each stdout line. */
  onLine?: (line: string) => void;
}

/** Builds (incrementally) and runs the app in `dir`; resolves when run-app.sh ends. */
export function runApp(engines: RealEngines, dir: string, o: RunOptions): Promise<AppRun> & { stop(): void } {
  const name = dir.split('/').pop() as string;
  const out = join(cacheDir(), 'apps', name);
  const script = join(engines.kits, 'moddable', 'host', 'run-app.sh');
  const child = spawn('bash', [script, dir, String(o.timeoutS), ...(o.args || [])], {
    env: { ...process.env, MODDABLE: engines.moddable, RUN_APP_OUT: out, MC_JOBS: process.env.MC_JOBS || '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own session: no terminal signal reaches it; endGroup() ends it and its descendants
  });
  running.add(child);
  const run: AppRun = { status: null, lines: [], records: [], stderr: '', buildS: null };
  let pending = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() as string;
    for (const line of parts) {
      run.lines.push(line);
      if (o.onLine) o.onLine(line);
      if (line.startsWith('@@ ')) {
        let record: any;
        try {
          record = JSON.parse(line.slice(3));
        } catch {
          record = { unparsed: line };
        }
        run.records.push(record);
        if (o.onRecord) o.onRecord(record);
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    run.stderr += chunk;
  });
  const done = new Promise<AppRun>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      if (pending) run.lines.push(pending);
      run.status = code === null ? (signal ? 128 : null) : code;
      const m = /built \S+ in ([\d.]+) s/.exec(run.stderr);
      run.buildS = m ? Number(m[1]) : null;
      resolve(run);
    });
  });
  return Object.assign(done, {
    stop() {
      endGroup(child);
    },
  });
}

/** The named check's record (`{name, ...}`), or an object saying it is missing. */
export function record(run: AppRun, name: string): any {
  return run.records.find((r) => r.name === name) || { missing: name };
}

/** Removes an app folder made by appFolder (its parent temp folder too). */
export function removeApp(dir: string): void {
  rmSync(join(dir, '..'), { recursive: true, force: true });
}
