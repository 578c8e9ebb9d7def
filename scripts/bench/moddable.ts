// ES256 and RS256 signJwt times of the Moddable bundles (default and noble) inside the real Moddable
// SDK (XS, lin, release build), measured in the app with Time.ticks; prints medians as markdown for
// BENCHMARKS.md. Needs the engine kits (npm run engines) and dist/ (npm run build).
// --parts also times the P-256 pieces (test/real-engines/moddable/bench/parts.ts) in the same XS build.
// Usage: npm run bench:moddable [-- --runs 31 --batch 5 --parts]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { realEngines } from '../../test/real-engines/kit';
import { appFolder, killAll, record, removeApp, runApp } from '../../test/real-engines/moddable/run';

const root = join(import.meta.dirname, '..', '..');
const arg = (name: string, d: number) => {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const runs = arg('runs', 31);
const batch = arg('batch', 5);
const key = (f: string) => readFileSync(join(root, 'test', 'fixtures', 'keys', f), 'utf8');
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const engines = realEngines();
if (!engines) {
  console.error('the Moddable engine kit is not beside this checkout (npm run engines, AKENZA_ENGINE_KITS)');
  process.exit(1);
}
const variants = [
  { name: 'default', app: 'akenza-xs-bench', include: './akenza-device/manifest.json', file: 'akenza-device.js' },
  { name: 'noble', app: 'akenza-xs-bench-noble', include: './akenza-device/manifest-noble.json', file: 'akenza-device-noble.js' },
];
const rows: string[] = [];
const results: { [name: string]: { es256: number; rs256: number } } = {};
try {
  for (const v of variants) {
    const dir = appFolder(v.app, {
      'manifest.json': JSON.stringify({ include: ['$(MODDABLE)/examples/manifest_base.json', v.include], config: { runs: String(runs), batch: String(batch) }, modules: { '*': ['./main', './fixtures'] }, defines: { xs: { abortHook: 1 } } }),
      'main.js': readFileSync(join(root, 'test', 'real-engines', 'moddable', 'bench', 'main.js'), 'utf8'),
      'fixtures.js': 'export default ' + JSON.stringify({ EC: key('ec.pkcs8.pem'), RSA: key('rsa.pkcs8.pem') }) + ';\n',
    });
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    const run = await runApp(engines, dir, { timeoutS: 300 });
    removeApp(dir);
    const r = record(run, 'bench');
    if (run.status !== 0 || !r.es256) throw new Error(`${v.name}: exit ${run.status}: ${run.lines.slice(-5).join(' | ')} ${run.stderr.slice(-500)}`);
    results[v.name] = { es256: median(r.es256), rs256: median(r.rs256) };
    rows.push(`| ${v.name} (\`${v.file}\`) | ${median(r.es256).toFixed(1)} | ${Math.min(...r.es256).toFixed(1)}-${Math.max(...r.es256).toFixed(1)} | ${median(r.rs256).toFixed(1)} | ${Math.min(...r.rs256).toFixed(1)}-${Math.max(...r.rs256).toFixed(1)} | ${run.buildS} s | ${load} |`);
  }
} finally {
  killAll();
}
const cpu = cpus()[0] ? cpus()[0].model.replace(/\s+/g, ' ') : 'unknown CPU';
let sdk = engines.moddable;
try {
  const v = readFileSync(join(engines.moddable, 'VERSION'), 'utf8');
  sdk = (/^tools:\s*(\S+)/m.exec(v) || [])[1] + ' (' + ((/^commit:\s*(\w{9})/m.exec(v) || [])[1] || '?') + ')';
} catch {
  // a full SDK checkout has no VERSION file: the path stands in
}
console.log(`Moddable SDK ${sdk}, lin release build, ${cpu} (${cpus().length} cores), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${runs} samples of ${batch} sequential signJwt calls each (kid "auto", warm).\n`);
console.log('| bundle | ES256 median ms | ES256 range | RS256 median ms | RS256 range | app build | load avg |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\nES256 default / noble: ${(results.default.es256 / results.noble.es256).toFixed(2)}x (medians)`);

if (process.argv.includes('--parts')) {
  const out = await build({ entryPoints: [join(root, 'test', 'real-engines', 'moddable', 'bench', 'parts.ts')], bundle: true, write: false, format: 'esm', target: 'es2020', platform: 'neutral', minify: true, logLevel: 'warning' });
  const dir = appFolder('akenza-xs-bench-parts', {
    'manifest.json': JSON.stringify({ include: ['$(MODDABLE)/examples/manifest_base.json'], creation: { stack: 512 }, modules: { '*': ['./main', './fixtures'], parts: './parts' }, preload: ['parts'], defines: { xs: { abortHook: 1 } } }),
    'parts.js': out.outputFiles[0].text,
    'fixtures.js': 'export default ' + JSON.stringify({ EC: key('ec.pkcs8.pem') }) + ';\n',
    'main.js': 'import { bench } from "parts"; import F from "fixtures"; import Time from "time";\ntrace("@@ " + JSON.stringify({ name: "parts", ms: bench(F.EC, () => Time.ticks) }) + "\\n");\ntrace("@@exit 0\\n");\n',
  });
  try {
    const run = await runApp(engines, dir, { timeoutS: 300 });
    const r = record(run, 'parts');
    if (run.status !== 0 || !r.ms) throw new Error(`parts: exit ${run.status}: ${run.lines.slice(-5).join(' | ')} ${run.stderr.slice(-500)}`);
    console.log('\n| step (default bundle\'s P-256 code) | us per call |\n|---|---|');
    for (const [step, ms] of Object.entries(r.ms as { [s: string]: number })) console.log(`| ${step} | ${(ms * 1000).toFixed(1)} |`);
  } finally {
    removeApp(dir);
    killAll();
  }
}
