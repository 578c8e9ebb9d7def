// Full MQTT parser fuzz run: `node --import tsx scripts/mqtt/fuzz.ts [count] [seed]`
// (default 1,000,000 inputs). Prints counts and time; exits 1 on any failure.
import { fuzz } from '../../test/mqtt/fuzz-engine';

const count = Number(process.argv[2] || process.env.MQTT_FUZZ_COUNT || 1000000);
const seed = Number(process.argv[3] || process.env.MQTT_SEED || 0xf022);
const r = fuzz(count, seed);
console.log(`MQTT parser fuzz, seed ${seed}`);
console.log(`inputs            ${r.inputs} (${r.bytes} bytes)`);
console.log(`by kind           ${JSON.stringify(r.kinds)}`);
console.log(`packets parsed    ${r.packets}`);
console.log(`errors reported   ${JSON.stringify(r.errors)}`);
console.log(`uncaught throws   ${r.exceptions}`);
console.log(`rule breaks       ${r.failures.length}`);
for (const f of r.failures) console.log('  ' + f);
console.log(`slowest input     ${r.slowestInputMs.toFixed(2)} ms`);
console.log(`time              ${(r.ms / 1000).toFixed(1)} s (${Math.round(r.inputs / (r.ms / 1000))} inputs/s)`);
process.exit(r.failures.length || r.exceptions ? 1 : 0);
