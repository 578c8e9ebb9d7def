// `npm run bench`: runs every benchmark script in turn and prints markdown for BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';

const benches = ['scripts/bench/jwt.ts', 'scripts/bench/device.ts', 'scripts/bench/engines.ts', 'scripts/p256/bench.ts', 'scripts/mqtt/bench.ts', 'scripts/mock/bench.ts', 'scripts/uplink/bench.ts'];
console.log('Machine: ' + cpus().length + ' x ' + cpus()[0].model + ', node ' + process.version + ', ' + new Date().toISOString() + '\n');
for (const b of benches) {
  if (!existsSync(b)) continue;
  console.log('## ' + b + '\n');
  execFileSync(process.execPath, ['--import', 'tsx', b], { stdio: 'inherit' });
  console.log('');
}
