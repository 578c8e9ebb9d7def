// Starts a throwaway mosquitto (Debian package) on a free loopback port, for benchmarks and tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mosquitto {
  port: number;
  /** Kills the broker (SIGKILL: as abrupt as a crash). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

export const MOSQUITTO_BIN = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));

/** Signals the process and resolves once it has exited (at once if it already has, by code or signal). */
export const endProcess = (p: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
  new Promise<void>((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill(signal);
  });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO_BIN) throw new Error('mosquitto is not installed (apt-get install mosquitto)');
  const port = await freePort();
  const conf = join(mkdtempSync(join(tmpdir(), 'mosq-')), 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_inflight_messages 0\nmax_queued_messages 0\n`);
  let proc: ChildProcess | null = null;
  const self: Mosquitto = {
    port,
    async start() {
      proc = spawn(MOSQUITTO_BIN as string, ['-c', conf], { stdio: 'ignore' });
      for (let i = 0; i < 200 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 25));
    },
    stop: () => (proc ? endProcess(proc, 'SIGKILL') : Promise.resolve()),
  };
  await self.start();
  return self;
}
