// Finds the real engines for the real-engine suites: built from the kits into the cache by
// `npm run engines` (which .ci/run runs first). Without the kits (a clone elsewhere) a suite is
// skipped with one line naming the kit; under CI a missing kit is a failure, never a skip, unless
// the run says it has none on purpose (AKENZA_ENGINE_KITS=none: .ci/run's kit-less clone).
import { buildEngines, kitsDeclaredAbsent, kitsDir } from '../../scripts/engines/real.mjs';

export interface RealEngines {
  /** The 32-bit Espruino interpreter binary (ESP32 variable density). */
  espruino: string;
  /** The same interpreter with an ESP32-sized pool, by variables (ESPRUINO_BUDGETS: 3,400 and 2,500). */
  espruinoAt: { [variables: number]: string };
  /** MODDABLE: the built Moddable SDK (lin tools). */
  moddable: string;
  /** The kits' folder (holds moddable/host/run-app.sh). */
  kits: string;
}

let found: RealEngines | null | undefined;

/** The engines, building them on first use (a no-op when cached), or null when the kits are absent. */
export function realEngines(): RealEngines | null {
  if (found !== undefined) return found;
  const kits = kitsDir();
  if (!kits) {
    if (process.env.CI && !kitsDeclaredAbsent()) throw new Error('CI run without the engine kits (AKENZA_ENGINE_KITS or ../shared/engines): the real-engine suites must not skip in CI');
    found = null;
    return found;
  }
  found = { ...buildEngines(kits, 'ignore'), kits };
  return found;
}

/** For describe.skipIf: true (and one line saying which kit) when the kit is absent. */
export function skipWithout(kit: 'espruino' | 'moddable'): boolean {
  if (realEngines()) return false;
  const why = kitsDeclaredAbsent() ? 'this run has no engine kits (AKENZA_ENGINE_KITS=none)' : 'the ' + kit + ' engine kit is not beside this checkout (set AKENZA_ENGINE_KITS)';
  console.log('skipped: the real ' + kit + ' engine suite: ' + why);
  return true;
}
