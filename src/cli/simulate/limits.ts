// File-descriptor budget: every device holds a socket, and an in-process mock one more per device.
// Node raises its soft RLIMIT_NOFILE to the hard limit at startup, so what /proc reports is what we get.
import { readFileSync } from 'node:fs';
import { AkenzaError } from '../../errors';

/** The soft and hard "Max open files" of this process, or null where /proc is not available. */
export function openFileLimits(): { soft: number; hard: number } | null {
  try {
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!m) return null;
    const n = (v: string) => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: n(m[1]), hard: n(m[2]) };
  } catch {
    return null;
  }
}

/** Refuses a fleet that cannot fit in the descriptor limit, saying how to fix it. */
export function checkDescriptors(devices: number, inlineMock: boolean): void {
  const lim = openFileLimits();
  if (!lim) return;
  // Each connection: one socket here, and one more on the broker side when the mock shares the process;
  // a refresh briefly holds the old and the new socket; plus files, pipes and listeners.
  const need = Math.ceil(devices * (inlineMock ? 2.1 : 1.05)) + 100;
  if (need <= lim.soft) return;
  throw new AkenzaError(
    'OPTION_INVALID',
    devices + ' devices need about ' + need + ' open files ' + (inlineMock ? '(the fleet and the in-process mock) ' : '') + 'but this process may open ' + lim.soft +
      ' (ulimit -n; hard limit ' + lim.hard + '). Raise it (ulimit -n ' + need + ', or LimitNOFILE= for a service)' + (inlineMock ? ', use --mock child (the default),' : ',') + ' or simulate fewer devices',
  );
}
