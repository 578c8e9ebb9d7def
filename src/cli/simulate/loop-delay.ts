// Event-loop delay of this process (perf_hooks), over the run phase only (the ramp's first batch and
// the final stop of every device are one long synchronous burst each, by design): when a run's
// latencies jump, this says whether the simulator or the mock could not keep up.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

export interface LoopDelayWatch {
  /** Forgets what was sampled so far (the run starts). */
  reset(): void;
  /** Stops sampling (the run ended); read() keeps returning what was sampled until then. */
  freeze(): void;
  read(): LoopDelay;
}

const RESOLUTION_MS = 10;

export function watchLoopDelay(): LoopDelayWatch {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  // The histogram holds whole sampling intervals: the lateness is what exceeds the resolution.
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
  return {
    reset: () => h.reset(),
    freeze: () => h.disable(),
    read: () => (h.count ? { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } : { p50: 0, p99: 0, max: 0 }),
  };
}
