// Full CoAP codec fuzz run: `node --import tsx scripts/uplink/fuzz-coap.ts [count] [seed]`
// (default 1,000,000 inputs). Prints counts and time; exits 1 on any failure.
import { fuzzCoap } from '../../test/uplink/coap-gen';

const count = Number(process.argv[2] || process.env.COAP_FUZZ_COUNT || 1000000);
const seed = Number(process.argv[3] || process.env.COAP_SEED || 0xc0a9);
const t0 = performance.now();
const r = fuzzCoap(count, seed);
const ms = performance.now() - t0;
console.log(`CoAP codec fuzz, seed ${seed}`);
console.log(`inputs            ${r.inputs}`);
console.log(`parsed            ${r.parsed} (each re-encoded byte for byte)`);
console.log(`rejected          ${JSON.stringify(r.rejected)}`);
console.log(`uncaught throws   ${r.exceptions}`);
console.log(`rule breaks       ${r.failures.length}`);
for (const f of r.failures) console.log('  ' + f);
console.log(`time              ${(ms / 1000).toFixed(1)} s (${Math.round(r.inputs / (ms / 1000))} inputs/s)`);
process.exit(r.failures.length || r.exceptions ? 1 : 0);
