// Child processes for the LAN/admin/ws tests: every one is tracked and killed by killAll() (called in
// afterEach/afterAll), so a client that waits forever cannot outlive its test.
import { spawn, type ChildProcess } from 'node:child_process';
import { networkInterfaces } from 'node:os';

const live = new Set<ChildProcess>();

export interface Proc {
  child: ChildProcess;
  out(): string;
  /** Resolves with the exit code (or -1 when killed by a signal). */
  exited: Promise<number>;
}

export function start(cmd: string, args: string[]): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number>((resolve) => {
    child.on('error', (e) => {
      text += String(e);
      live.delete(child);
      resolve(-1);
    });
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code === null ? -1 : code);
    });
  });
  return { child, out: () => text, exited };
}

/** Runs to the end; the output is stdout and stderr together. */
export async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const p = start(cmd, args);
  const code = await p.exited;
  return { code, out: p.out() };
}

export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** Polls `cond` every 20 ms, up to `tries` times. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('gave up waiting for ' + what);
}

/**
 * A non-loopback IPv4 address of this machine (the address a board on the LAN would use), or, on a
 * machine without one, the second loopback address 127.0.0.2 (`lan: false`): Linux routes all of
 * 127/8 to lo, so listening on 0.0.0.0 is reached there too, but it is not an interface address and
 * the tests then add it with --tls-name.
 */
export function lanAddress(): { address: string; lan: boolean } {
  const all = networkInterfaces();
  for (const k of Object.keys(all)) for (const a of all[k] || []) if (!a.internal && (a.family === 'IPv4' || (a.family as unknown) === 4)) return { address: a.address, lan: true };
  return { address: '127.0.0.2', lan: false };
}
