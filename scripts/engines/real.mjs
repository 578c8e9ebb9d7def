// Builds the real engines from their kits into a cache outside the checkout, once: the Espruino
// interpreter (32-bit, ESP32 variable density) and the Moddable SDK's lin tools. `npm run engines`;
// .ci/run calls it before the tests. The kits live beside the checkout (AKENZA_ENGINE_KITS, default
// ../shared/engines); the cache is AKENZA_ENGINES (default ~/.cache/akenza-engines).
// Prints one line per engine: `espruino <path>` and `moddable <MODDABLE path>`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** AKENZA_ENGINE_KITS=none: a run without the kits on purpose (.ci/run's clone in a folder of its own). */
export const kitsDeclaredAbsent = () => process.env.AKENZA_ENGINE_KITS === 'none';

/** Where the engine kits are, or null when this checkout has none beside it (or AKENZA_ENGINE_KITS is none). */
export function kitsDir() {
  if (kitsDeclaredAbsent()) return null;
  const dir = resolve(process.env.AKENZA_ENGINE_KITS || join(root, '..', 'shared', 'engines'));
  return existsSync(join(dir, 'espruino', 'build.sh')) && existsSync(join(dir, 'moddable', 'build.sh')) ? dir : null;
}

export function cacheDir() {
  return process.env.AKENZA_ENGINES || join(homedir(), '.cache', 'akenza-engines');
}

/** Variables of the Espruino build the broad suite runs in (room for its probes and figures). */
export const ESPRUINO_VARIABLES = 16383;
/** The pools the memory suite runs the whole device path in: a WiFi-connected ESP32 reports about
 *  3,400 (espruino/Espruino#1777), and 2,500 leaves that board 900 for the application. */
export const ESPRUINO_BUDGETS = [3400, 2500];

function lastLine(out) {
  return out.trim().split('\n').pop().trim();
}

/** Builds (or reuses) the engines; returns the paths: `espruino` (ESPRUINO_VARIABLES), `espruinoAt`
 *  (one interpreter per ESPRUINO_BUDGETS entry) and `moddable`. Each build is about 12 s, a reuse 0.1 s. */
export function buildEngines(kits = kitsDir(), log = 'inherit') {
  if (!kits) throw new Error('no engine kits found (set AKENZA_ENGINE_KITS to the folder holding espruino/ and moddable/)');
  const env = { ...process.env, AKENZA_ENGINES: cacheDir() };
  const espruinoBuild = (variables) =>
    lastLine(execFileSync('bash', [join(kits, 'espruino', 'build.sh'), String(variables)], { env: { ...env, ESPRUINO_M32: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', log] }));
  const espruino = espruinoBuild(ESPRUINO_VARIABLES);
  const espruinoAt = {};
  for (const v of ESPRUINO_BUDGETS) espruinoAt[v] = espruinoBuild(v);
  const moddable = lastLine(execFileSync('bash', [join(kits, 'moddable', 'build.sh')], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', log] }));
  return { espruino, espruinoAt, moddable };
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const kits = kitsDir();
  if (!kits) {
    console.log('engine kits not found beside this checkout: the real-engine suites will be skipped');
    process.exit(process.env.CI && !kitsDeclaredAbsent() ? 1 : 0);
  }
  const e = buildEngines(kits);
  console.log('espruino ' + e.espruino);
  for (const v of ESPRUINO_BUDGETS) console.log('espruino@' + v + ' ' + e.espruinoAt[v]);
  console.log('moddable ' + e.moddable);
}
