// The mock cloud a simulation runs against: in this process, or in a child process (the default) so
// the fleet and the broker each get a core and their own file-descriptor table; the child reports
// what it recorded (uplinks, connects, refusals, peak RSS) over the IPC channel once a second.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AkenzaError, errorText } from '../../errors';
import { startMockCloud, type MockCloud, type RegistryJson } from '../../mock/index';
import { watchLoopDelay, type LoopDelay, type LoopDelayWatch } from './loop-delay';

/** What the mock recorded, counted from its events. */
export interface MockStats {
  uplinks: number;
  /** Accepted MQTT CONNECTs. */
  connects: number;
  /** Distinct client ids that were accepted at least once. */
  devicesSeen: number;
  /** Refused CONNECTs (and HTTP/CoAP/UDP credential refusals). */
  refused: number;
  /** Sessions that ended for any reason other than the client's DISCONNECT or closing its socket. */
  abnormalCloses: number;
  /** Peak resident set of the mock's process in bytes; null when it shares the simulator's process. */
  maxRssBytes: number | null;
  /** Event-loop delay of the mock's process; null when it shares the simulator's process. */
  loopDelayMs: LoopDelay | null;
}

export interface MockHost {
  url: string;
  ca?: string;
  /** 'inline' or the child's pid. */
  where: string;
  /** The latest stats (a child sends them once a second). */
  stats(): MockStats;
  /** The run phase starts / ends: the mock's event-loop delay is measured in between (own process only). */
  runPhase(started: boolean): void;
  /** Stops the mock; resolves with its final stats. */
  close(): Promise<MockStats>;
}

const NORMAL_CLOSE = /^(client sent DISCONNECT|connection closed by client|mock cloud closed|session taken over)/;

function counting(cloud: MockCloud, delay: LoopDelayWatch | null): () => MockStats {
  const s = { uplinks: 0, connects: 0, refused: 0, abnormalCloses: 0 };
  const seen = new Set<string>();
  cloud.on('uplink', () => s.uplinks++);
  cloud.on('connect', (i) => {
    s.connects++;
    seen.add(i.clientId);
  });
  cloud.on('authRejected', () => s.refused++);
  cloud.on('disconnect', (i) => {
    if (!NORMAL_CLOSE.test(i.reason || '')) s.abnormalCloses++;
  });
  return () => ({ ...s, devicesSeen: seen.size, maxRssBytes: delay ? process.resourceUsage().maxRSS * 1024 : null, loopDelayMs: delay ? delay.read() : null });
}

async function startCloud(registry: RegistryJson | string): Promise<MockCloud> {
  const ports = { mqtt: 0, mqtts: 0, http: 0, coap: 0, udp: 0 };
  return typeof registry === 'string' ? startMockCloud({ registryFile: registry, ports }) : startMockCloud({ registry, ports });
}

export async function startInlineMock(registry: RegistryJson, tls: boolean): Promise<MockHost> {
  const cloud = await startCloud(registry);
  const stats = counting(cloud, null);
  return {
    url: tls ? 'mqtts://127.0.0.1:' + cloud.mqttsPort : 'mqtt://127.0.0.1:' + cloud.mqttPort,
    ca: tls ? cloud.caPem : undefined,
    where: 'inline',
    stats,
    runPhase: () => undefined,
    close: async () => {
      await cloud.close();
      return stats();
    },
  };
}

/** The CLI entry to fork: the bundle itself (dist/node/cli.js), or src/cli/bin.ts through tsx in a source checkout. */
function cliEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (/\.ts$/.test(here)) return { file: resolve(dirname(here), '..', 'bin.ts'), execArgv: ['--import', 'tsx'] };
  return { file: here, execArgv: [] };
}

type ChildMessage = { type: 'ready'; mqttPort: number; mqttsPort: number; ca: string } | { type: 'stats'; stats: MockStats } | { type: 'final'; stats: MockStats } | { type: 'error'; message: string };

export function startChildMock(registryFile: string, tls: boolean): Promise<MockHost> {
  const entry = cliEntry();
  const child: ChildProcess = fork(entry.file, ['simulate', '--mock-child', registryFile], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  let latest: MockStats = { uplinks: 0, connects: 0, devicesSeen: 0, refused: 0, abnormalCloses: 0, maxRssBytes: null, loopDelayMs: null };
  let final: ((s: MockStats) => void) | null = null;
  return new Promise<MockHost>((resolveHost, reject) => {
    let ready = false;
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'stats' || m.type === 'final') latest = m.stats;
      if (m.type === 'final' && final) final(latest);
      if (m.type === 'error') reject(new AkenzaError('OPTION_INVALID', 'mock cloud: ' + m.message));
      if (m.type !== 'ready' || ready) return;
      ready = true;
      let closing: Promise<MockStats> | null = null;
      resolveHost({
        url: tls ? 'mqtts://127.0.0.1:' + m.mqttsPort : 'mqtt://127.0.0.1:' + m.mqttPort,
        ca: tls ? m.ca : undefined,
        where: 'child pid ' + child.pid,
        stats: () => latest,
        runPhase: (started) => {
          if (child.connected) child.send({ type: started ? 'run-start' : 'run-end' });
        },
        close: () => {
          if (!closing)
            closing = new Promise<MockStats>((done) => {
              if (child.exitCode !== null || !child.connected) return done(latest);
              final = done;
              child.once('exit', () => done(latest));
              child.send({ type: 'stop' });
            });
          return closing;
        },
      });
    });
    child.on('exit', (code, signal) => {
      if (!ready) reject(new AkenzaError('OPTION_INVALID', 'the mock cloud process exited before listening (' + (signal || 'code ' + code) + ')'));
    });
    child.on('error', (e) => reject(new AkenzaError('OPTION_INVALID', 'cannot start the mock cloud process: ' + e.message)));
  });
}

/** The child side (`simulate --mock-child FILE`): runs the mock until the parent says stop or goes away. */
export async function runMockChild(registryFile: string): Promise<void> {
  const send = (m: ChildMessage) => {
    if (process.send && process.connected) process.send(m);
  };
  let cloud: MockCloud;
  try {
    cloud = await startCloud(registryFile);
  } catch (e) {
    send({ type: 'error', message: errorText(e) });
    process.disconnect?.();
    return;
  }
  const delay = watchLoopDelay();
  const stats = counting(cloud, delay);
  send({ type: 'ready', mqttPort: cloud.mqttPort, mqttsPort: cloud.mqttsPort, ca: cloud.caPem });
  const tick = setInterval(() => send({ type: 'stats', stats: stats() }), 1000);
  await new Promise<void>((done) => {
    process.on('message', (m: { type?: string }) => {
      if (m && m.type === 'stop') done();
      if (m && m.type === 'run-start') delay.reset();
      if (m && m.type === 'run-end') delay.freeze();
    });
    process.on('disconnect', () => done());
    // Ctrl-C reaches the whole process group: the parent decides when the mock stops.
    process.on('SIGINT', () => undefined);
  });
  clearInterval(tick);
  await cloud.close();
  send({ type: 'final', stats: stats() });
  if (process.connected) process.disconnect();
}
