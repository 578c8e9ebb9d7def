// Drives the real Espruino interpreter (Linux build, 32-bit, ESP32 variable density) from Node for
// test/real-engines/espruino.test.ts, as /work/shared/engines/espruino/README.md describes: files go
// into Storage (./espruino.flash) by short interpreter runs, a test script prints `@@ key json` lines
// (the only output kept), stdin stays an unused pipe, and quit() ends a run. Every run is bounded (a
// timeout kills it) and every child is tracked so killAll() can end whatever is left.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The built bundle (`node scripts/build.mjs`); AKENZA_ESPRUINO_DIST points elsewhere (a copy, while
 *  another build rewrites dist/). */
export const DIST = process.env.AKENZA_ESPRUINO_DIST || join(import.meta.dirname, '..', '..', 'dist', 'espruino');

/** The Storage modules of the Espruino build, the core first (targets/espruino/modules.json). */
export const ESPRUINO_MODULES: string[] = Object.keys(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'targets', 'espruino', 'modules.json'), 'utf8')));

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** Ends every interpreter still running (afterAll) and removes the temporary directories. */
export function killAll(): void {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'akenza-espruino-'));
  dirs.push(d);
  return d;
}

/** Writes files into the Storage of dir's espruino.flash, one interpreter run per 4 KB chunk (an 8 KB one runs out of memory at 2,500 variables). */
export function storageWrite(bin: string, dir: string, files: { [name: string]: Buffer | string }): void {
  const CHUNK = 4096;
  for (const name of Object.keys(files)) {
    const buf = Buffer.isBuffer(files[name]) ? (files[name] as Buffer) : Buffer.from(files[name] as string, 'latin1');
    for (let off = 0; off < buf.length; off += CHUNK) {
      const b64 = buf.subarray(off, off + CHUNK).toString('base64');
      writeFileSync(join(dir, 'w.js'), `require("Storage").write(${JSON.stringify(name)}, atob("${b64}"), ${off}, ${buf.length}); print("@@ w " + E.getErrorFlags().length);`);
      const r = spawnSync(bin, ['w.js'], { cwd: dir, encoding: 'latin1', input: '', timeout: 20000 });
      if (r.status !== 0 || !/@@ w 0/.test(r.stdout)) throw new Error('Storage write of ' + name + ' at ' + off + ' failed: ' + r.stdout + r.stderr);
    }
  }
}

let template: string | null = null;

/** A fresh directory whose Storage holds each module as the README says (`akenza-device`,
 *  `akenza-sign`, `akenza-keys`, from dist/espruino/<name>.js) and the table as `akenza-p256.bin`
 *  (written once, then the flash file is copied), plus `extra` files. */
export function deviceDir(bin: string, extra: { [name: string]: Buffer | string } = {}): string {
  if (!template) {
    const t = tempDir();
    const files: { [name: string]: Buffer } = { 'akenza-p256.bin': readFileSync(join(DIST, 'akenza-p256.bin')) };
    for (const name of ESPRUINO_MODULES) files[name] = readFileSync(join(DIST, name + '.js'));
    storageWrite(bin, t, files);
    template = join(t, 'espruino.flash');
  }
  const dir = tempDir();
  copyFileSync(template, join(dir, 'espruino.flash'));
  if (Object.keys(extra).length) storageWrite(bin, dir, extra);
  return dir;
}

/** Helpers every test script gets: report(key, value), a peak-variables sampler, and done(), which
 *  reports the peak, the final usage and E.getErrorFlags() and quits. */
export const PRELUDE = `
function report(k, v) { print("@@ " + k + " " + JSON.stringify(v === undefined ? null : v)); }
var __peak = 0;
function __sample() { var u = process.memory().usage; if (u > __peak) __peak = u; return u; }
var __sampler = setInterval(__sample, 200);
function done() {
  clearInterval(__sampler);
  var m = process.memory();
  report("end", { peak: Math.max(__peak, m.usage), usage: m.usage, total: m.total, flags: E.getErrorFlags() });
  setTimeout(quit, 1);
}
`;

export interface RunResult {
  code: number | null;
  timedOut: boolean;
  /** Raw output, for failure messages. */
  out: string;
  /** The `@@ key value` lines as [key, parsed value]. */
  reports: [string, any][];
  /** The first report with this key (undefined if none). */
  get(key: string): any;
  all(key: string): any[];
}

export interface RunOptions {
  timeoutMs?: number;
  /** Sees each `@@` report as it arrives. */
  onReport?: (key: string, value: any) => void;
  /** Sees every other output line (console.log of the script), without prompts. */
  onLine?: (line: string) => void;
  file?: string;
  /** Run the script with `-e` instead of as a file, so the interpreter first runs the boot code in
   *  Storage (`.bootcde`, where the Web IDE saves a board's firmware), as a board does at power-on. */
  boot?: boolean;
}

export interface Running {
  /** Resolves when the interpreter has exited (quit(), or killed after timeoutMs). */
  result: Promise<RunResult>;
  /** Types code into the interpreter's console (its REPL runs it), e.g. 'done()'. */
  send(code: string): void;
}

/** Starts `script` (after PRELUDE) in dir. Killed after timeoutMs (default 60 s). */
export function startEspruino(bin: string, dir: string, script: string, opts: RunOptions = {}): Running {
  const file = opts.file || 'test.js';
  if (!opts.boot) writeFileSync(join(dir, file), PRELUDE + script);
  const child = spawn(bin, opts.boot ? ['-e', PRELUDE + script] : [file], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let pending = '';
  let timedOut = false;
  const reports: [string, any][] = [];
  const onText = (d: Buffer) => {
    const s = d.toString('latin1');
    out += s;
    pending += s;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r/g, '').replace(/^(>|\x1b\[J)*/, '');
      pending = pending.slice(nl + 1);
      const m = /^@@ (\S+) (.*)$/.exec(line);
      if (!m) {
        if (opts.onLine) opts.onLine(line);
        continue;
      }
      let v: any;
      try {
        v = JSON.parse(m[2]);
      } catch {
        v = m[2];
      }
      reports.push([m[1], v]);
      if (opts.onReport) opts.onReport(m[1], v);
    }
  };
  child.stdout!.on('data', onText);
  child.stderr!.on('data', onText);
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs || 60000);
  const result = new Promise<RunResult>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({
        code,
        timedOut,
        out,
        reports,
        get: (k) => (reports.find((r) => r[0] === k) || [])[1],
        all: (k) => reports.filter((r) => r[0] === k).map((r) => r[1]),
      });
    });
  });
  return {
    result,
    send: (code) => {
      if (child.exitCode === null && child.stdin!.writable) child.stdin!.write(code + '\n');
    },
  };
}

export function runEspruino(bin: string, dir: string, script: string, opts: RunOptions = {}): Promise<RunResult> {
  return startEspruino(bin, dir, script, opts).result;
}

/** The interpreter's answer to one short script (no device), e.g. a regex probe. */
export async function evalEspruino(bin: string, dir: string, script: string, timeoutMs = 20000): Promise<RunResult> {
  return runEspruino(bin, dir, script + '\ndone();', { timeoutMs, file: 'eval.js' });
}
