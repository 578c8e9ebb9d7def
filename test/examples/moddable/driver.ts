// Runs examples/moddable-esp32/main.js, unchanged, in XS (xsnap): its imports resolve to the moddable
// bundle in dist/ and to stand-ins for the host modules (see moddable-esp32.test.ts). Virtual time
// runs for a few seconds against the scripted broker; one RESULT line reports what happened.
import { traced } from './trace';
import { store } from './preference';
import { advance, broker } from '../../engines/xs/shims';

declare const print: (s: string) => void;
declare const STORED_KEY: string | null;

// A stored key from an earlier boot goes in before the firmware runs (it is imported dynamically).
if (STORED_KEY) {
  const b = new Uint8Array(STORED_KEY.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(STORED_KEY.slice(2 * i, 2 * i + 2), 16);
  store['akenza.key'] = b.buffer;
}

async function main() {
  // @ts-ignore: the firmware is plain JavaScript without declarations
  await import('../../../examples/moddable-esp32/main.js');
  await advance(3500);
  const key = store['akenza.key'];
  let hex = '';
  if (key instanceof ArrayBuffer) for (const x of new Uint8Array(key)) hex += (x < 16 ? '0' : '') + x.toString(16);
  print('RESULT ' + JSON.stringify({ traced, connects: broker.connects, published: broker.published, storedKey: hex }));
}
main().then(() => print('DONE'), (e) => print('FAILED ' + (e && e.stack ? e.stack : e)));
