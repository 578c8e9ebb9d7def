// The simulated fleet: one SDK Device (targets/node createDevice) per credential, connected in a
// ramp of bounded concurrency (a burst of 10,000 SYNs would overflow the broker's listen backlog),
// then publishing at a fleet-wide rate, round-robin over the devices that are connected.
import { createDevice, type Device } from '../../../targets/node/index';
import { Histogram } from './histogram';
import type { SimCredential } from './keys';
import { errorText } from '../../errors';

export interface FleetOptions {
  creds: SimCredential[];
  url: string;
  ca?: string;
  lifetimeS: number;
  audienceBase?: string;
  qos: 0 | 1;
  /** Fleet total messages per second. */
  rate: number;
  concurrency: number;
  payloadBytes: number;
}

export interface FleetCounters {
  devices: number;
  started: number;
  /** Devices connected at least once. */
  everConnected: number;
  connectedNow: number;
  /** Every CONNACK 0 (first connects, refreshes, reconnects). */
  connects: number;
  refreshes: number;
  /** Connections re-established after a disconnect the device did not plan (not a refresh). */
  reconnects: number;
  unplannedDisconnects: number;
  authRejected: number;
  errors: number;
  /** publish() calls. */
  published: number;
  /** Confirmed: PUBACK for QoS 1, written to the socket for QoS 0. */
  acked: number;
  failed: number;
  dropped: number;
  /** Messages the rate asked for while no device was connected (not published). */
  skipped: number;
}

interface Sim {
  cred: SimCredential;
  dev: Device | null;
  up: boolean;
  ever: boolean;
  /** Holds a ramp slot until its first connect (or first failed attempt). */
  slot: boolean;
  startedAt: number;
  downAt: number;
  planned: boolean;
}

const now = () => performance.now();

export class Fleet {
  readonly c: FleetCounters;
  readonly connectTime = new Histogram();
  readonly ackLatency = new Histogram();
  readonly refreshGap = new Histogram();
  /** Distinct error messages with counts (messages from the SDK carry no key material). */
  readonly errorKinds: { [message: string]: number } = {};
  readonly disconnectReasons: { [reason: string]: number } = {};
  /** Told of each sample as it is counted (the time series of --report-html/--report-csv). */
  hooks: { ack?(ms: number): void; connected?(ms: number): void; refreshGap?(ms: number): void } = {};
  rampStartedAt = 0;
  allConnectedAt = 0;
  private readonly sims: Sim[];
  private next = 0;
  private active = 0;
  private rampDone: (() => void) | null = null;
  private pubTimer: NodeJS.Timeout | null = null;
  private pubStart = 0;
  private issued = 0;
  private cursor = 0;
  private seq = 0;
  private pending = 0;
  private stopped = false;

  constructor(private readonly o: FleetOptions) {
    this.sims = o.creds.map((cred) => ({ cred, dev: null, up: false, ever: false, slot: false, startedAt: 0, downAt: 0, planned: false }));
    this.c = { devices: o.creds.length, started: 0, everConnected: 0, connectedNow: 0, connects: 0, refreshes: 0, reconnects: 0, unplannedDisconnects: 0, authRejected: 0, errors: 0, published: 0, acked: 0, failed: 0, dropped: 0, skipped: 0 };
  }

  /** Starts every device, at most `concurrency` connecting at once; resolves once all connected or abortRamp(). */
  connectAll(): Promise<void> {
    this.rampStartedAt = now();
    return new Promise<void>((done) => {
      this.rampDone = done;
      this.fill();
      this.checkRamp();
    });
  }

  /** Ends the ramp's wait (timeout, Ctrl-C); devices already started keep trying. */
  abortRamp(): void {
    const d = this.rampDone;
    this.rampDone = null;
    if (d) d();
  }

  private fill(): void {
    while (!this.stopped && this.active < this.o.concurrency && this.next < this.sims.length) this.startOne(this.sims[this.next++]);
  }

  private release(s: Sim): void {
    if (!s.slot) return;
    s.slot = false;
    this.active--;
    this.fill();
  }

  private checkRamp(): void {
    if (this.c.everConnected === this.sims.length && this.rampDone) {
      this.allConnectedAt = now();
      this.abortRamp();
    }
  }

  private error(e: unknown): void {
    this.c.errors++;
    const m = errorText(e);
    this.errorKinds[m] = (this.errorKinds[m] || 0) + 1;
  }

  private startOne(s: Sim): void {
    const c = this.c;
    s.slot = true;
    this.active++;
    c.started++;
    s.startedAt = now();
    let dev: Device;
    try {
      dev = createDevice({
        deviceId: s.cred.deviceId,
        credentials: { alg: s.cred.alg, privateKey: s.cred.privatePem, kid: s.cred.kid },
        audienceBase: this.o.audienceBase,
        tokenLifetimeS: this.o.lifetimeS,
        mqtt: { url: this.o.url, ca: this.o.ca },
        onConnected: () => {
          c.connects++;
          c.connectedNow++;
          s.up = true;
          if (!s.ever) {
            s.ever = true;
            c.everConnected++;
            const ms = now() - s.startedAt;
            this.connectTime.add(ms);
            if (this.hooks.connected) this.hooks.connected(ms);
            this.release(s);
            this.checkRamp();
          } else if (s.planned) {
            this.refreshGap.add(now() - s.downAt);
            if (this.hooks.refreshGap) this.hooks.refreshGap(now() - s.downAt);
          }
          else c.reconnects++;
        },
        onDisconnected: (r: { planned: boolean; reason: string }) => {
          if (s.up) c.connectedNow--;
          s.up = false;
          s.planned = r.planned;
          s.downAt = now();
          if (!r.planned) {
            c.unplannedDisconnects++;
            this.disconnectReasons[r.reason] = (this.disconnectReasons[r.reason] || 0) + 1;
            this.release(s); // a failed first attempt frees the slot; the device retries with backoff
          }
        },
        onTokenRefreshed: () => c.refreshes++,
        onAuthRejected: () => c.authRejected++,
        onDropped: () => c.dropped++,
        onError: (e: unknown) => this.error(e),
      });
    } catch (e) {
      this.error(e);
      this.release(s);
      return;
    }
    s.dev = dev;
    dev.start();
  }

  private payload(): string {
    const base = '{"seq":' + ++this.seq + ',"t":' + Date.now() + ',"temperature":' + (20 + Math.random() * 5).toFixed(2);
    const pad = this.o.payloadBytes - base.length - 10;
    return pad > 0 ? base + ',"pad":"' + 'x'.repeat(pad) + '"}' : base + '}';
  }

  /** Publishes at `rate` msgs/s from now on (a 10 ms tick catching up on what is due). */
  startPublishing(): void {
    if (this.pubTimer || this.o.rate <= 0) return;
    this.pubStart = now();
    this.issued = 0;
    this.pubTimer = setInterval(() => this.tick(), 10);
  }

  stopPublishing(): void {
    if (this.pubTimer) clearInterval(this.pubTimer);
    this.pubTimer = null;
  }

  private tick(): void {
    const due = Math.floor((this.o.rate * (now() - this.pubStart)) / 1000);
    let budget = due - this.issued;
    let misses = 0;
    const n = this.sims.length;
    while (budget > 0 && misses < n) {
      const s = this.sims[this.cursor];
      this.cursor = (this.cursor + 1) % n;
      if (!s.up || !s.dev) {
        misses++;
        continue;
      }
      misses = 0;
      budget--;
      this.issued++;
      this.publishOn(s.dev);
    }
    // Nobody connected to take them: count them rather than queue a burst for later.
    if (budget > 0) {
      this.c.skipped += budget;
      this.issued += budget;
    }
  }

  private publishOn(dev: Device): void {
    const c = this.c;
    const t0 = now();
    c.published++;
    this.pending++;
    dev.publish(this.payload(), { qos: this.o.qos }).then(
      () => {
        this.pending--;
        c.acked++;
        this.ackLatency.add(now() - t0);
        if (this.hooks.ack) this.hooks.ack(now() - t0);
      },
      (e: unknown) => {
        this.pending--;
        c.failed++;
        this.error(e);
      },
    );
  }

  /** device.refresh() on every connected device (a fleet-wide refresh storm). */
  refreshAll(): number {
    let n = 0;
    for (const s of this.sims)
      if (s.up && s.dev) {
        s.dev.refresh();
        n++;
      }
    return n;
  }

  /** Resolves when every publish has settled, or after `timeoutMs`; returns how many are still pending. */
  async drain(timeoutMs: number): Promise<number> {
    const until = now() + timeoutMs;
    while (this.pending > 0 && now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.pending;
  }

  get pendingPublishes(): number {
    return this.pending;
  }

  /** Stops every device (each sends DISCONNECT). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopPublishing();
    this.abortRamp();
    await Promise.all(this.sims.map((s) => (s.dev ? s.dev.stop() : undefined)));
  }
}
