// Fuzz the MQTT parser: MQTT_FUZZ_COUNT inputs (default 50,000; `node --import tsx
// scripts/mqtt/fuzz.ts` runs 1,000,000). Zero uncaught exceptions, zero rule breaks.
import { expect, it } from 'vitest';
import { fuzz } from './fuzz-engine';

const COUNT = Number(process.env.MQTT_FUZZ_COUNT || 50000);
const SEED = Number(process.env.MQTT_SEED || 0xf022);

it(`fuzz: ${COUNT} random and mutated inputs (seed ${SEED})`, () => {
  const r = fuzz(COUNT, SEED);
  console.log('mqtt fuzz', JSON.stringify({ ...r, failures: r.failures.length }));
  expect(r.failures).toEqual([]);
  expect(r.exceptions).toBe(0);
  expect(r.inputs).toBe(COUNT);
  // both outcomes happen a lot: the mutations are neither all rejected nor all accepted
  expect(r.errors.MQTT_MALFORMED).toBeGreaterThan(COUNT / 10);
  expect(r.errors.MQTT_TOO_LARGE).toBeGreaterThan(COUNT / 100);
  expect(r.packets).toBeGreaterThan(COUNT / 2);
}, 600_000);
