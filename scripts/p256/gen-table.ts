// Writes src/sign/p256/comb-table.bin, the fixed-base comb table shipped next to the bundle
// (format in src/sign/p256/comb.ts). Run: node --import tsx scripts/p256/gen-table.ts
import { writeFileSync } from 'node:fs';
import { computeCombTableBytes, loadCombTable } from '../../src/sign/p256/comb';

const bytes = computeCombTableBytes();
loadCombTable(bytes); // validates
writeFileSync(new URL('../../src/sign/p256/comb-table.bin', import.meta.url), bytes);
console.log('wrote src/sign/p256/comb-table.bin,', bytes.length, 'bytes');
