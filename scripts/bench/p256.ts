// P-256 ES256 benchmark, as same-run ratios (this machine is shared and noisy: compare ratios, not
// absolute times): Node ours vs noble; QuickJS without BigInt (Espruino profile) ours vs noble in
// QuickJS with BigInt; the longest slice in sliced mode in QuickJS; minified size; table load vs
// compute. Run: node --import tsx scripts/bench/p256.ts   (RUNS=n to change the repetitions)
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { p256 } from '@noble/curves/nist.js';
import { createP256Signer, computeCombTableBytes, loadCombTable } from '../../src/sign/p256/index';
import { signSync } from '../../src/sign/signer';
import { toHex } from '../../src/bytes';
import { bundle, newVm } from '../p256/qjs';

const RUNS = Number(process.env.RUNS || 7);
const here = (p: string) => new URL(p, import.meta.url).pathname;
const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (x: number, d = 3) => x.toFixed(d);
const range = (xs: number[], d = 3) => `${f(Math.min(...xs), d)}-${f(Math.max(...xs), d)}`;

// A JWS signing input of typical size (header.claims, base64url): ~250 bytes.
const MSG = new TextEncoder().encode(
  'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjNmYTk4YzEyZDQ1ZTY3ODkwYWJjZGVmMDEyMzQ1Njc4In0.' +
    'eyJhdWQiOiJodHRwczovL2FrZW56YS5pby9kZXZpY2VzL2ExYjJjM2Q0ZTVmNjA3MTgiLCJpYXQiOjE3OTU4Mzk3NDAsImV4cCI6MTc5NTg0MzM0MH0',
);
const SK = p256.utils.randomSecretKey();
const TABLE = new Uint8Array(readFileSync(here('../../src/sign/p256/comb-table.bin')));

const out: string[] = [];
const log = (s: string) => {
  out.push(s);
  console.log(s);
};

// ---- Node
function timeNode(fn: () => void, count: number): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) fn();
  return (performance.now() - t0) / count;
}
const ours = createP256Signer({ privateKey: SK, table: TABLE });
const nodeSha = (m: Uint8Array) => new Uint8Array(createHash('sha256').update(m).digest());
const oursNative = createP256Signer({ privateKey: SK, table: TABLE, hash: nodeSha });
if (toHex(signSync(ours, MSG)) !== toHex(p256.sign(MSG, SK))) throw new Error('signature mismatch');
for (let i = 0; i < 300; i++) {
  signSync(ours, MSG);
  signSync(oursNative, MSG);
  p256.sign(MSG, SK);
}
const nodeOurs: number[] = [];
const nodeNative: number[] = [];
const nodeNoble: number[] = [];
const nodeRatio: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const a = timeNode(() => signSync(ours, MSG), 300);
  const b = timeNode(() => p256.sign(MSG, SK), 300);
  const c = timeNode(() => signSync(oursNative, MSG), 300);
  nodeOurs.push(a);
  nodeNoble.push(b);
  nodeNative.push(c);
  nodeRatio.push(a / b);
}
const loadNode: number[] = [];
const computeNode: number[] = [];
for (let r = 0; r < RUNS; r++) {
  loadNode.push(timeNode(() => loadCombTable(TABLE), 20));
  computeNode.push(timeNode(() => loadCombTable(computeCombTableBytes()), 3));
}

// ---- QuickJS
const oursCode = await bundle(here('../p256/qjs-entry.ts'));
const nobleCode = await bundle(here('../p256/noble-entry.ts'), { profile: false });
const vmOurs = await newVm({ strip: true, memoryLimit: 16 * 1024 * 1024 });
const vmNoble = await newVm({ memoryLimit: 64 * 1024 * 1024 });
vmOurs.eval(oursCode);
vmNoble.eval(nobleCode);
const skHex = toHex(SK);
const msgHex = toHex(MSG);
const qLoad: number[] = [];
const qCompute: number[] = [];
for (let r = 0; r < Math.min(RUNS, 5); r++) {
  qCompute.push(vmOurs.eval('p256ComputeTable()') as number);
  qLoad.push(vmOurs.eval(`p256LoadTable('${toHex(TABLE)}')`) as number);
}
if (vmOurs.eval(`p256Sign('${skHex}', '${msgHex}')`) !== vmNoble.eval(`nobleSign('${skHex}', '${msgHex}')`)) {
  throw new Error('QuickJS signature mismatch');
}
const qOurs: number[] = [];
const qNoble: number[] = [];
const qRatio: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const a = vmOurs.eval(`p256Bench('${skHex}', '${msgHex}', 10)`) as number;
  const b = vmNoble.eval(`nobleBench('${skHex}', '${msgHex}', 10)`) as number;
  qOurs.push(a);
  qNoble.push(b);
  qRatio.push(a / b);
}
const longest: number[] = [];
let steps = 0;
for (let r = 0; r < Math.max(RUNS, 10); r++) {
  const sk = toHex(p256.utils.randomSecretKey());
  const res = vmOurs.eval(`p256SlicedProfile('${sk}', '${msgHex}', 0)`) as [string, number, number, number];
  steps = res[1];
  longest.push(res[2]);
}
vmOurs.dispose();
vmNoble.dispose();

// ---- size (esbuild --minify, iife, es2020)
async function minSize(contents: string): Promise<{ bytes: number; sha: number }> {
  const r = await build({
    stdin: { contents, resolveDir: here('../..'), loader: 'ts' },
    bundle: true,
    write: false,
    minify: true,
    metafile: true,
    format: 'iife',
    target: 'es2020',
    logLevel: 'silent',
  });
  const o = Object.values(r.metafile.outputs)[0];
  const sha = o.inputs['src/hash/sha256.ts'] ? o.inputs['src/hash/sha256.ts'].bytesInOutput : 0;
  return { bytes: o.bytes, sha };
}
const signerOnly = await minSize("export { createP256SignerCore, loadCombTable } from './src/sign/p256/index';");
const core = await minSize(
  "export { createP256SignerCore, loadCombTable, publicKeyFromTable, generateKeyPairFromTable, publicKeyToSpki } from './src/sign/p256/index';",
);
const full = await minSize(
  "export { createP256Signer, getPublicKey, generateKeyPair, publicKeyToSpki, computeCombTableBytes } from './src/sign/p256/index';",
);

log('');
log(`| measure | median | range (${RUNS} runs) | goal |`);
log('|---|---|---|---|');
log(`| Node ms/signature, ours (pure-JS SHA-256) | ${f(nodeOurs[0] && median(nodeOurs))} | ${range(nodeOurs)} | |`);
log(`| Node ms/signature, ours with node:crypto SHA-256 | ${f(median(nodeNative))} | ${range(nodeNative)} | |`);
log(`| Node ms/signature, noble | ${f(median(nodeNoble))} | ${range(nodeNoble)} | |`);
log(`| **Node ratio ours / noble** | **${f(median(nodeRatio), 2)}x** | ${range(nodeRatio, 2)} | <= 0.6x |`);
log(`| QuickJS ms/signature, ours, BigInt/Map/Symbol/Math.imul/... deleted | ${f(median(qOurs), 2)} | ${range(qOurs, 2)} | |`);
log(`| QuickJS ms/signature, noble with BigInt | ${f(median(qNoble), 2)} | ${range(qNoble, 2)} | |`);
log(`| **QuickJS ratio ours / noble** | **${f(median(qRatio), 2)}x** | ${range(qRatio, 2)} | within 3x |`);
log(`| **QuickJS longest slice, sliced mode (default budget), ms** | **${f(median(longest), 2)}** (max ${f(Math.max(...longest), 2)}) | ${range(longest, 2)}; ${steps} steps/signature | < 5 ms |`);
log(`| **Minified size, signer (createP256SignerCore + loadCombTable), no SHA-256, no table** | **${signerOnly.bytes - signerOnly.sha} B** | | < 14 KB |`);
log(`| Minified size, signer + key derivation/generation + SPKI, no SHA-256, no table | ${core.bytes - core.sha} B | | |`);
log(`| Minified size, with defaults (table computation), without SHA-256 | ${full.bytes - full.sha} B (+${full.sha} B SHA-256) | | |`);
log(`| Table load (validate ${TABLE.length} B), Node ms | ${f(median(loadNode))} | ${range(loadNode)} | |`);
log(`| Table compute + validate, Node ms | ${f(median(computeNode))} | ${range(computeNode)} | |`);
log(`| Table load, QuickJS ms | ${f(median(qLoad), 2)} | ${range(qLoad, 2)} | |`);
log(`| Table compute + validate, QuickJS ms | ${f(median(qCompute), 2)} | ${range(qCompute, 2)} | |`);
