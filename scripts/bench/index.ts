// `npm run bench`: runs every benchmark script of scripts/bench/ in turn and prints markdown for BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';

const benches = ['jwt', 'device', 'engines', 'p256', 'mqtt', 'mock', 'uplink'].map((b) => 'scripts/bench/' + b + '.ts');
console.log('Machine: ' + cpus().length + ' x ' + cpus()[0].model + ', node ' + process.version + ', ' + new Date().toISOString() + '\n');
for (const b of benches) {
  if (!existsSync(b)) continue;
  console.log('## ' + b + '\n');
  execFileSync(process.execPath, ['--import', 'tsx', b], { stdio: 'inherit' });
  console.log('');
}
