// The XS engine test program, bundled for xsnap: the moddable bundle's portable core mints a token,
// runs the MQTT codec fixtures, and runs the device's connection logic on the ECMA-419 adapter
// against the scripted transport in ./shims. Prints one `RESULT <json>` line per part.
// 'akenza-moddable' is aliased by the test to targets/moddable/index.ts or noble.ts.
import { createDevice, signJwt, fingerprint } from 'akenza-moddable';
import { encode } from '../../../src/mqtt/encode';
import { createParser } from '../../../src/mqtt/parser';
import { FIXTURES } from '../../mqtt/fixtures';
import { advance, broker } from './shims';

declare const print: (s: string) => void;
declare const EC_KEY: string;
declare const EC_CERT: string;

const result = (name: string, value: unknown) => print('RESULT ' + JSON.stringify({ name, value }));

function codecFixtures() {
  let ok = 0;
  const failures: string[] = [];
  for (let i = 0; i < FIXTURES.length; i++) {
    const f = FIXTURES[i];
    const out = encode(f.packet);
    let same = out.length === f.bytes.length;
    for (let k = 0; same && k < out.length; k++) same = out[k] === f.bytes[k];
    let parsed: unknown = null;
    const p = createParser({ onPacket: (x) => (parsed = x), onError: (e) => failures.push(f.name + ': ' + e.message) });
    for (let k = 0; k < f.bytes.length; k++) p.push(f.bytes.subarray(k, k + 1)); // one byte at a time
    const again = parsed ? encode(parsed as any) : new Uint8Array(0);
    let mirror = again.length === f.bytes.length;
    for (let k = 0; mirror && k < again.length; k++) mirror = again[k] === f.bytes[k];
    if (same && mirror) ok++;
    else failures.push(f.name);
  }
  return { total: FIXTURES.length, ok, failures };
}

async function main() {
  result('engine', { bigint: typeof BigInt, version: typeof (globalThis as any).print });
  const t0 = Date.now();
  let n = 0;
  let token = '';
  while (Date.now() - t0 < 300 || n < 3) {
    token = await signJwt({ privateKey: EC_KEY, deviceId: 'xs-dev', kid: 'auto', now: Date.now() });
    n++;
  }
  result('token', { token, msPerMint: (Date.now() - t0) / n, mints: n, certFingerprint: fingerprint(EC_CERT) });
  result('codec', codecFixtures());

  let counter = 7;
  const device = createDevice({
    deviceId: 'xs-dev',
    credentials: { privateKey: EC_KEY, kid: 'auto' },
    mqtt: { url: 'mqtt://broker.test:1883' },
    randomBytes: (k: number) => {
      const b = new Uint8Array(k);
      for (let i = 0; i < k; i++) b[i] = (counter = (counter * 1103515245 + 12345) & 0x7fffffff) & 255;
      return b;
    },
  });
  const events: string[] = [];
  device.on('connected', () => events.push('connected'));
  device.on('disconnected', (e: any) => events.push('disconnected:' + (e.planned ? 'planned' : e.reason)));
  device.on('tokenRefreshed', () => events.push('tokenRefreshed'));
  device.on('error', (e: any) => events.push('error:' + e.message));
  device.start();
  await advance(100);
  let acked = 0;
  device.publish({ engine: 'xs' }, { topic: 'engines' }).then(() => acked++);
  await advance(100);
  device.refresh();
  await advance(100);
  device.publish({ engine: 'xs', after: 'refresh' }, { topic: 'engines' }).then(() => acked++);
  await advance(100);
  // A burst bigger than the socket's writable count: the adapter must split it.
  let big = '';
  for (let i = 0; i < 600; i++) big += 'x';
  device.publish({ big }, { topic: 'engines' }).then(() => acked++);
  await advance(100);
  await device.stop();
  let largest = 0;
  for (let i = 0; i < broker.writes.length; i++) largest = Math.max(largest, broker.writes[i]);
  result('device', { events, acked, connects: broker.connects, published: broker.published, largestWrite: largest });
}

main().then(
  () => print('DONE'),
  (e) => print('FAILED ' + (e && e.stack ? e.stack : e)),
);
