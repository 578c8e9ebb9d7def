// The real Espruino interpreter built with a given variable pool, for the probe scripts beside this
// file: builds the engine kits when needed; exits 2 naming the problem when the kits are absent or
// the pool is not one of the builds.
import { buildEngines, kitsDir } from '../engines/real.mjs';

export function espruinoWith(pool: number, script: string): string {
  const kits = kitsDir();
  if (!kits) {
    console.error('the engine kits are not beside this checkout (set AKENZA_ENGINE_KITS)');
    process.exit(2);
  }
  const engines = buildEngines(kits, 'ignore');
  const bin = pool === 16383 ? engines.espruino : engines.espruinoAt[pool];
  if (!bin) {
    console.error('usage: ' + script + ' [3400|2500|16383]');
    process.exit(2);
  }
  return bin;
}
