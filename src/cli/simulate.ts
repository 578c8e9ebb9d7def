// `akenza-device simulate`: a fleet of SDK devices (one key each) against the mock cloud or a broker
// URL, publishing at a fleet-wide rate and refreshing tokens, with live progress and a final report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkMockPeers, MockDependencyError } from '../mock/peers';
import { CommandFailed, EXIT_FAILED, UsageError, type Io } from './io';
import { Fleet } from './simulate/fleet';
import { generateFleet, hasKeys, loadFleet, registryFor, writeFleet, type SimCredential } from './simulate/keys';
import { checkDescriptors } from './simulate/limits';
import { runMockChild, startChildMock, startInlineMock, type MockHost, type MockStats } from './simulate/mock-host';
import { parseSimOptions, type SimOptions } from './simulate/options';
import { watchLoopDelay } from './simulate/loop-delay';
import { makeProgress } from './simulate/progress';
import { countsOk, formatReport, mb, perSecondSummary, topKinds, type SimReport } from './simulate/report';
import { checkReportTargets, recordSeries, writeReportFiles } from './simulate/report-files';

export const SIMULATE_HELP = `usage: akenza-device simulate [options]

Runs a fleet of simulated devices (the SDK's createDevice, one key per device) against the mock
cloud (started for the run) or a broker URL, then prints a report (--json for JSON on stdout).
Progress and the once-a-second summary go to stderr. Ctrl-C stops cleanly with the report.

fleet
  --devices N            devices (default 100, or every key in --keys-dir)
  --alg ES256|RS256      key type (default ES256)
  --rs256-devices M      with --alg ES256: the last M devices use RS256 instead
  --rsa-pool K           distinct RSA 2048 keys shared by the RS256 devices (default 8)
  --id-prefix P          device ids P0000, P0001, ... (default sim-)
  --concurrency N        devices connecting at once while the fleet comes up (default 500)
  --connect-timeout S    stop waiting for the whole fleet after S seconds (default 120)
traffic
  --rate R               fleet total messages per second (default 100; 0 = none)
  --duration S           seconds of publishing once the fleet is up (default 30)
  --qos 0|1              (default 1: a message counts once its PUBACK is back)
  --payload-bytes B      JSON payload size (default 64)
tokens
  --lifetime S           token lifetime; devices refresh at 80-90% of it (default 3600)
  --refresh-at S         also make every device refresh its token S seconds into the run
  --audience-base URL    platform base for aud (default https://akenza.io)
target
  --url mqtt://H:P | mqtts://H:P   a running broker (mock or platform) that knows the keys
  --ca FILE              CA PEM for an mqtts:// --url
  --mock child|inline    without --url: the mock cloud in its own process (default) or in this one
  --tls                  without --url: connect to the mock over MQTTS
keys
  --keys-dir DIR         load DIR/{deviceId}.key.pem if present, else write the generated keys there
  --registry-out FILE    write the mock registry for the fleet (akenza-device mock --registry FILE)
  --prepare-only         only write keys / registry, then exit
output
  --json                 the report as JSON on stdout
  --report-html FILE     also write a self-contained HTML report with charts over time (connects,
                         connect times, msgs/s, ack latency, refresh gaps, reconnects, errors, memory)
  --report-csv DIR       also write the time series as CSV files (series.csv, connect-times.csv,
                         refresh-gaps.csv) into DIR
  --progress auto|tty|plain|none, --quiet   (auto: a bar on a terminal, plain lines otherwise)`;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const now = () => performance.now();

/** Keys for the fleet: loaded from --keys-dir when it holds some, else generated (and written when asked). */
function credentials(o: SimOptions, io: Io): { creds: SimCredential[]; source: 'generated' | 'loaded'; ms: number; rsaKeys: number } {
  const t0 = now();
  if (o.keysDir && hasKeys(o.keysDir)) {
    if (o.alg !== 'ES256' || o.rs256Devices > 0) throw new UsageError('--alg/--rs256-devices choose generated keys; ' + o.keysDir + ' already holds keys (their type is used)');
    const creds = loadFleet(o.keysDir, o.devices);
    const rsa = new Set(creds.filter((c) => c.alg === 'RS256').map((c) => c.kid)).size;
    return { creds, source: 'loaded', ms: Math.round(now() - t0), rsaKeys: rsa };
  }
  if (o.url && !o.prepareOnly)
    throw new UsageError(
      '--url needs devices the broker already knows: run once with --prepare-only --keys-dir DIR --registry-out FILE, load FILE into the broker (akenza-device mock --registry FILE) or register the keys on the platform, then run with --keys-dir DIR --url ...',
    );
  const count = o.devices === undefined ? 100 : o.devices;
  const rs256 = o.rs256Devices < 0 ? count : o.rs256Devices;
  if (rs256 > count) throw new UsageError('--rs256-devices (' + rs256 + ') is more than the ' + count + ' devices');
  if (rs256 > 0 && !o.json) io.err('generating ' + Math.min(o.rsaPool, rs256) + ' RSA 2048 key(s) for ' + rs256 + ' RS256 device(s) (shared; one registry entry per device)');
  const creds = generateFleet({ count, rs256, rsaPool: o.rsaPool, idPrefix: o.idPrefix });
  if (o.keysDir) writeFleet(o.keysDir, creds);
  return { creds, source: 'generated', ms: Math.round(now() - t0), rsaKeys: Math.min(o.rsaPool, rs256) };
}

/** Exit 0 when every device connected and every message was acknowledged, 1 otherwise (after the report). */
export async function simulateCommand(args: string[], io: Io): Promise<number | void> {
  if (args[0] === '--mock-child') return runMockChild(args[1]);
  const o = parseSimOptions(args);
  if (!o.url && !o.prepareOnly) {
    try {
      checkMockPeers(); // before any key is made: the mock's packages are optional peer dependencies
    } catch (e) {
      if (e instanceof MockDependencyError) throw new CommandFailed(e.message);
      throw e;
    }
  }
  checkReportTargets(o.reportHtml, o.reportCsv); // before the run, not after it
  const keys = credentials(o, io);
  const creds = keys.creds;
  const registry = registryFor(creds, o.audienceBase);
  if (o.registryOut) writeFileSync(o.registryOut, JSON.stringify(registry, null, 2) + '\n');
  if (o.prepareOnly) {
    const what = [o.keysDir && keys.source === 'generated' ? 'keys in ' + o.keysDir : '', o.registryOut ? 'registry ' + o.registryOut : ''].filter(Boolean).join(' and ');
    io.out('prepared ' + creds.length + ' device(s): ' + what + ' (' + keys.ms + ' ms)');
    return;
  }
  checkDescriptors(creds.length, !o.url && o.mock === 'inline');
  const loopDelay = watchLoopDelay();

  const progress = makeProgress(o.progress, io.err);
  let tmp: string | null = null;
  let mock: MockHost | null = null;
  if (!o.url) {
    if (o.mock === 'inline') mock = await startInlineMock(registry, o.tls);
    else {
      let file = o.registryOut;
      if (!file) {
        tmp = mkdtempSync(join(tmpdir(), 'akenza-simulate-'));
        file = join(tmp, 'registry.json');
        writeFileSync(file, JSON.stringify(registry));
      }
      mock = await startChildMock(file, o.tls);
    }
  }
  const url = o.url || (mock as MockHost).url;
  const ca = o.ca ? readFileSync(o.ca, 'utf8') : mock ? mock.ca : undefined;
  const fleet = new Fleet({ creds, url, ca, lifetimeS: o.lifetimeS, audienceBase: o.audienceBase, qos: o.qos, rate: o.rate, concurrency: o.concurrency, payloadBytes: o.payloadBytes });
  const c = fleet.c;
  const series = o.reportHtml || o.reportCsv ? recordSeries(fleet, mock) : null; // only for a report file

  // Ctrl-C / SIGTERM end the current phase; a second Ctrl-C exits at once.
  let interrupted = false;
  let wake: () => void = () => undefined;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress.note('stopping (Ctrl-C again to quit at once)...');
    fleet.abortRamp();
    wake();
  };
  const waitOrStop = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let forced = 0;
  const perSecond: number[] = [];
  let runS = 0;
  let ackedAtEnd = 0;
  let unacked = 0;
  let mockStats: MockStats | null = null;
  try {
    progress.note('simulating ' + creds.length + ' device(s) against ' + url + (mock ? ' (mock ' + mock.where + ')' : ''));
    // Connect phase: the bar every 200 ms on a TTY, a line a second otherwise.
    if (series) series.start();
    const ramp = fleet.connectAll();
    let rampOver = false;
    void ramp.then(() => {
      rampOver = true;
      wake();
    });
    const t0 = now();
    const deadline = t0 + o.connectTimeoutS * 1000;
    while (!rampOver && !interrupted && now() < deadline) {
      progress.ramp(c.everConnected, creds.length, (now() - t0) / 1000);
      await waitOrStop(Math.min(o.progress === 'tty' || process.stderr.isTTY ? 200 : 1000, deadline - now()));
    }
    fleet.abortRamp();
    progress.ramp(c.everConnected, creds.length, (now() - t0) / 1000);
    progress.end();
    if (c.everConnected < creds.length && !interrupted) progress.note('connect timeout: ' + c.everConnected + ' of ' + creds.length + ' connected after ' + o.connectTimeoutS + ' s; running with those');

    // Run phase: publish for the duration, a summary line a second.
    if (!interrupted && o.durationS > 0) {
      const start = now();
      const end = start + o.durationS * 1000;
      fleet.startPublishing();
      loopDelay.reset();
      if (mock) mock.runPhase(true);
      if (series) series.phase = 'run';
      let last = 0;
      let refreshDue = o.refreshAtS === undefined ? Infinity : start + o.refreshAtS * 1000;
      while (!interrupted && now() < end) {
        const nextTick = Math.min(end, start + (perSecond.length + 1) * 1000, refreshDue);
        await waitOrStop(Math.max(0, nextTick - now()));
        if (now() >= refreshDue) {
          forced += fleet.refreshAll();
          refreshDue = Infinity;
        }
        if (now() >= start + (perSecond.length + 1) * 1000 - 1) {
          perSecond.push(c.acked - last);
          last = c.acked;
          progress.status(
            // Under 80 columns up to 10,000 devices (a rewritten line must not wrap).
            Math.round((now() - start) / 1000) + ' s  connected ' + c.connectedNow + '/' + creds.length + '  ' + perSecond[perSecond.length - 1] + ' msgs/s  refr ' + c.refreshes +
              '  reconn ' + c.reconnects + '  err ' + c.errors + '  rss ' + mb(process.memoryUsage().rss) + (mock && mock.stats().maxRssBytes ? '+' + mb(mock.stats().maxRssBytes as number) : '') + ' MB',
          );
        }
      }
      runS = (now() - start) / 1000;
      ackedAtEnd = c.acked;
      loopDelay.freeze();
      if (mock) mock.runPhase(false);
      if (series) series.phase = 'drain';
      fleet.stopPublishing();
      progress.end();
      unacked = await fleet.drain(interrupted ? 1000 : 5000);
    }
    if (series) series.stop();
    await fleet.stop();
    if (mock) {
      if (o.qos === 0) await sleep(200); // QoS 0 has no PUBACK: let the last writes land before counting
      mockStats = await mock.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await fleet.stop();
    if (mock) await mock.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }

  const report = buildReport(o, keys, fleet, { url, mock, mockStats, interrupted, forced, perSecond, runS, ackedAtEnd, unacked, loopDelay: loopDelay.read() });
  if (series) for (const f of writeReportFiles(report, series, o.reportHtml, o.reportCsv)) if (!o.json) io.err('report written: ' + f);
  io.out(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
  if (!report.ok && !interrupted) {
    io.err('akenza-device simulate: the run had problems: ' + problems(report).join(', '));
    return EXIT_FAILED;
  }
}

/** What the run loop measured, for the report. */
interface RunOutcome {
  url: string;
  mock: MockHost | null;
  mockStats: MockStats | null;
  interrupted: boolean;
  forced: number;
  perSecond: number[];
  runS: number;
  ackedAtEnd: number;
  unacked: number;
  loopDelay: SimReport['eventLoopDelayMs']['simulator'];
}

/** The final report from the options, the keys, the fleet's counters and what the run measured. */
function buildReport(o: SimOptions, keys: ReturnType<typeof credentials>, fleet: Fleet, r: RunOutcome): SimReport {
  const { url, mock, mockStats, interrupted, forced, perSecond, runS, ackedAtEnd, unacked } = r;
  const creds = keys.creds;
  const c = fleet.c;
  const simRss = process.resourceUsage().maxRSS * 1024;
  const mockRss = mockStats && mockStats.maxRssBytes !== null ? mockStats.maxRssBytes : null;
  const rampMs = fleet.allConnectedAt ? Math.round(fleet.allConnectedAt - fleet.rampStartedAt) : null;
  return {
    ok: countsOk(c, unacked) && (!mockStats || mockStats.refused === 0),
    interrupted,
    target: { url, mock: mock ? 'mock ' + mock.where : 'external broker' },
    devices: { total: creds.length, es256: creds.filter((x) => x.alg === 'ES256').length, rs256: creds.filter((x) => x.alg === 'RS256').length, rsaKeys: keys.rsaKeys },
    keys: { source: keys.source, ms: keys.ms },
    connect: {
      allConnected: c.everConnected === creds.length,
      connected: c.everConnected,
      ms: rampMs,
      perSecond: rampMs ? Math.round((creds.length * 1000) / rampMs) : null,
      concurrency: o.concurrency,
      latencyMs: fleet.connectTime.summary(),
    },
    run: {
      seconds: Math.round(runS * 10) / 10,
      rate: o.rate,
      qos: o.qos,
      published: c.published,
      acked: c.acked,
      failed: c.failed,
      dropped: c.dropped,
      skipped: c.skipped,
      unacked,
      msgsPerS: runS > 0 ? Math.round(ackedAtEnd / runS) : 0,
      perSecond: perSecondSummary(perSecond),
      ackLatencyMs: fleet.ackLatency.summary(),
    },
    tokens: { lifetimeS: o.lifetimeS, refreshes: c.refreshes, forcedRefreshes: forced, refreshGapMs: fleet.refreshGap.summary() },
    connections: { connects: c.connects, reconnects: c.reconnects, unplannedDisconnects: c.unplannedDisconnects, reasons: fleet.disconnectReasons, authRejected: c.authRejected, connectedAtEnd: c.connectedNow },
    errors: { count: c.errors, kinds: topKinds(fleet.errorKinds) },
    mock: mockStats,
    memory: { simulatorPeakRssMB: mb(simRss), mockPeakRssMB: mockRss === null ? null : mb(mockRss), totalPeakRssMB: mockRss === null ? null : mb(simRss + mockRss) },
    eventLoopDelayMs: { simulator: r.loopDelay, mock: mockStats ? mockStats.loopDelayMs : null },
  };
}

/** Why a report is not ok, one phrase per problem. */
function problems(report: SimReport): string[] {
  const why: string[] = [];
  if (!report.connect.allConnected) why.push(report.devices.total - report.connect.connected + ' device(s) never connected');
  if (report.run.failed || report.run.unacked) why.push(report.run.failed + report.run.unacked + ' message(s) not acknowledged');
  if (report.errors.count) why.push(report.errors.count + ' error(s)');
  if (report.connections.authRejected || (report.mock && report.mock.refused)) why.push('credentials refused');
  return why;
}
