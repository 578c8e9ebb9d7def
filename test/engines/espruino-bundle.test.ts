// The espruino bundle under the Espruino profile: QuickJS with BigInt, Map, Set, Symbol, Math.imul,
// TextEncoder, Array.from... deleted, no function hoisting inside function bodies (espruino-unhoist.ts),
// a memory limit, and Espruino's net/crypto/Storage API shapes
// bridged to Node. It mints ES256 with the BigInt-free signer (table from "Storage", native SHA-256),
// connects to the mock cloud, publishes QoS 1, gets a downlink, and survives a forced refresh. Its
// key functions are the ES256-only build's: generated PEMs node:crypto reads, RSA and certificates refused.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESPRUINO_FORBIDDEN, STRIP_GLOBALS } from '../../scripts/espruino-profile.mjs';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { expectedFingerprints, fixture, nodeVerifyJwt } from '../helpers';
import { unhoist } from './espruino-unhoist';
import { createHarness, type Harness } from './quickjs-harness';

const dist = join(import.meta.dirname, '..', '..', 'dist', 'espruino');
const bundle = readFileSync(join(dist, 'akenza-device.js'), 'utf8');
// As the board runs it: no function hoisting (Espruino runs a module's statements in order).
const unhoisted = unhoist(bundle, true);
/** Every Storage module of the build (the core and the ones it loads while needed), as the board runs them. */
const modules: { [name: string]: Uint8Array } = {};
for (const name of Object.keys(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'targets', 'espruino', 'modules.json'), 'utf8'))))
  modules[name] = new Uint8Array(Buffer.from(unhoist(readFileSync(join(dist, name + '.js'), 'latin1'), true).code, 'latin1'));
let cloud: MockCloud;
let h: Harness;

beforeAll(async () => {
  cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'esp-dev', credentials: [{ publicKey: fixture('ec.pub.pem') }] }], connectors: [] } });
  h = await createHarness({
    memoryLimitBytes: 2 * 1024 * 1024,
    shims: readFileSync(join(import.meta.dirname, 'espruino-shims.js'), 'utf8'),
    stripScript: STRIP_GLOBALS,
    files: { 'akenza-p256.bin': new Uint8Array(readFileSync(join(dist, 'akenza-p256.bin'))), ...modules },
  });
  // As on the board: the modules are Storage files that require() runs (the shim's, like Espruino's).
  h.script("var akenza = require('akenza-device');", 'akenza-device.js');
});
afterAll(async () => {
  h.dispose();
  await cloud.close();
});

describe('espruino bundle under the Espruino profile', () => {
  it('has none of the APIs Espruino lacks, in its text or at run time, and loads without function hoisting', () => {
    for (const name of Object.keys(modules)) for (const re of ESPRUINO_FORBIDDEN) expect(readFileSync(join(dist, name + '.js'), 'utf8')).not.toMatch(re);
    expect(unhoisted.rewritten).toBeGreaterThan(30); // the core's functions, all at its top level
    h.script("report({ notStripped: globalThis.__notStripped, bigint: typeof BigInt, map: typeof Map, imul: typeof Math.imul, api: typeof akenza.createDevice });", 'check.js');
    expect(h.reports.find((r) => 'notStripped' in r)).toEqual({ notStripped: '', bigint: 'undefined', map: 'undefined', imul: 'undefined', api: 'function' });
  });

  it('its no-hoisting emulation fails code that calls a function before declaring it, as Espruino does', () => {
    const late = unhoist('(function () { later(); function later() {} })();');
    expect(late.rewritten).toBe(1);
    expect(() => h.script(late.code, 'hoisting.js')).toThrow(/not a function/);
    expect(() => h.script('(function () { later(); function later() {} })();', 'hoisting-as-js.js')).not.toThrow();
  });

  it('mints an ES256 token with the BigInt-free signer that node:crypto verifies', async () => {
    h.script(`akenza.signJwt({ privateKey: ${JSON.stringify(fixture('ec.sec1.pem'))}, deviceId: 'esp-dev', kid: 'auto' })
      .then(function (t) { report({ token: t }); }, function (e) { report({ error: String(e) }); });`, 'mint.js');
    const r = await h.waitForReport((v) => 'token' in v || 'error' in v, 20000);
    expect(r.error).toBeUndefined();
    const d = nodeVerifyJwt(r.token, fixture('ec.pub.pem'));
    expect(d.header.kid).toBe(expectedFingerprints()['ec.pub.pem']);
  });

  it('connects to the mock cloud, publishes QoS 1, receives a downlink, survives a forced refresh', async () => {
    h.script(`
      var connects = 0;
      var device = akenza.createDevice({
        deviceId: 'esp-dev',
        credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} },
        mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' },
      });
      device.on('connected', function () { connects++; report({ event: 'connected', n: connects }); });
      device.on('downlink', function (d) { report({ event: 'downlink', subTopic: d.subTopic, text: d.text }); });
      device.on('error', function (e) { report({ event: 'error', message: String(e && e.message) }); });
      device.start();
    `, 'device.js');
    await h.waitForReport((v) => v.event === 'connected' && v.n === 1, 20000);
    h.script(`device.publish({ engine: 'espruino', n: 1 }, { topic: 'engines' }).then(function () { report({ event: 'acked', n: 1 }); });`, 'pub1.js');
    await h.waitForReport((v) => v.event === 'acked' && v.n === 1, 10000);
    expect((await cloud.waitForUplink((u) => u.deviceId === 'esp-dev', 5000)).payload).toEqual({ engine: 'espruino', n: 1 });
    cloud.sendDownlink('esp-dev', 'hello espruino', { topic: 'cmd' });
    expect(await h.waitForReport((v) => v.event === 'downlink', 5000)).toMatchObject({ subTopic: 'cmd', text: 'hello espruino' });
    h.script(`device.refresh();`, 'refresh.js');
    await h.waitForReport((v) => v.event === 'connected' && v.n === 2, 20000);
    h.script(`device.publish({ engine: 'espruino', n: 2 }).then(function () { report({ event: 'acked', n: 2 }); });`, 'pub2.js');
    await h.waitForReport((v) => v.event === 'acked' && v.n === 2, 10000);
    expect(h.reports.filter((r) => r.event === 'error')).toEqual([]);
    expect(cloud.authLog.filter((e) => e.clientId === 'esp-dev' && e.code === 0).length).toBe(2);
    h.script(`device.stop().then(function () { report({ event: 'stopped' }); });`, 'stop.js');
    await h.waitForReport((v) => v.event === 'stopped', 5000);
  });

  it('mqtts: starts without a CA (Espruino verifies no server either way), and hands tls.connect a given CA as DER', async () => {
    h.script(`try { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} }, mqtt: { url: 'mqtts://127.0.0.1:1' } }); report({ noCa: 'created' }); }
      catch (e) { report({ noCa: e.code + ' ' + e.message }); }`, 'noca.js');
    expect(h.reports.find((r) => 'noCa' in r).noCa).toBe('created');
    h.script(`var tlsDevice = akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} },
        mqtt: { url: 'mqtts://127.0.0.1:${cloud.mqttPort}', ca: ${JSON.stringify(fixture('ec.cert.pem'))} } });
      tlsDevice.start();`, 'tls.js');
    // the first token (parsing, akenza-sign loaded, the key check) comes before the connect
    for (let waited = 0; waited < 10000; waited += 50) {
      h.script(`report({ tlsPoll: !!globalThis.__tlsOptions });`, 'tls-poll.js');
      if (h.reports[h.reports.length - 1].tlsPoll) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    h.script(`report({ tls: globalThis.__tlsOptions || null }); tlsDevice.stop();`, 'tls2.js');
    const certDer = Buffer.from(fixture('ec.cert.pem').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(h.reports.find((r) => 'tls' in r).tls).toEqual({ host: '127.0.0.1', caBytes: certDer.length, caIsDer: true });
  });

  it('outbox.persist keeps unsent messages in Storage across a restart', async () => {
    h.script(`
      var opts = { deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} },
        mqtt: { url: 'mqtt://127.0.0.1:${cloud.mqttPort}' }, outbox: { persist: 'akenza-outbox' } };
      var a = akenza.createDevice(opts);
      a.publish({ persisted: 1 }, { topic: 'engines' }).catch(function () {});
      a.stop().then(function () {
        report({ stored: require('Storage').read('akenza-outbox') });
        var b = akenza.createDevice(opts);
        b.on('connected', function () { report({ event: 'restarted' }); });
        globalThis.restarted = b;
        b.start();
      });
    `, 'persist.js');
    expect(JSON.parse((await h.waitForReport((v) => 'stored' in v, 5000)).stored)).toEqual([{ s: 'engines', p: expect.any(String), q: 1, j: 1 }]);
    await h.waitForReport((v) => v.event === 'restarted', 20000);
    expect((await cloud.waitForUplink((u) => (u.payload as any).persisted === 1, 5000)).deviceId).toBe('esp-dev');
    h.script(`restarted.stop();`, 'persist-stop.js');
  });

  it('generateKeyPair: PKCS#8 and SPKI PEMs that node:crypto reads as one P-256 pair, its kid, and a token that verifies', async () => {
    h.script(`var kp = akenza.generateKeyPair(); report({ kp: kp });
      akenza.signJwt({ privateKey: kp.privateKeyPem, deviceId: 'esp-dev', kid: 'auto' })
        .then(function (t) { report({ kpToken: t }); }, function (e) { report({ kpToken: 'error ' + e }); });`, 'keygen.js');
    const kp = h.reports.find((r) => 'kp' in r).kp;
    const priv = createPrivateKey(kp.privateKeyPem);
    expect(priv.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    const pubDer = createPublicKey(kp.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(createPublicKey(priv).export({ type: 'spki', format: 'der' }).equals(pubDer)).toBe(true);
    expect(kp.fingerprint).toBe(createHash('sha256').update(pubDer).digest('hex'));
    const token = (await h.waitForReport((v) => 'kpToken' in v, 20000)).kpToken;
    expect(nodeVerifyJwt(token, kp.publicKeyPem).header.kid).toBe(kp.fingerprint);
  });

  it('when E.toString cannot make a flat string (it returns undefined), the bytes still go out right', () => {
    h.script(`var realToString = E.toString; E.toString = function () { return undefined; };
      try { report({ lowMem: akenza.generateKeyPair() }); } finally { E.toString = realToString; }`, 'lowmem.js');
    const kp = h.reports.find((r) => 'lowMem' in r).lowMem;
    const pubDer = createPublicKey(kp.publicKeyPem).export({ type: 'spki', format: 'der' });
    expect(createPublicKey(createPrivateKey(kp.privateKeyPem)).export({ type: 'spki', format: 'der' }).equals(pubDer)).toBe(true);
  });

  it('parsePublicKey/fingerprint: EC SPKI as elsewhere; certificates and RSA refused with typed errors (not in this bundle)', () => {
    // native atob/btoa here: the bundle must still refuse a bad character and non-canonical padding bits
    const pem = fixture('ec.pub.pem');
    const body = pem.split('\n')[2];
    const badChar = pem.replace(body, body.slice(0, 10) + '*' + body.slice(11));
    const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = pem.indexOf('==') - 1; // 91-byte SPKI: the last data character carries 4 padding bits
    expect(b64.indexOf(pem[last]) & 15).toBe(0);
    const padBits = pem.slice(0, last) + b64[b64.indexOf(pem[last]) | 1] + pem.slice(last + 1);
    h.script(`var out = {};
      function tryIt(name, f) { try { out[name] = f(); } catch (e) { out[name] = e.code + ' ' + e.message; } }
      tryIt('fp', function () { return akenza.fingerprint(${JSON.stringify(fixture('ec.pub.pem'))}); });
      tryIt('point', function () { return akenza.parsePublicKey(${JSON.stringify(fixture('ec.pub.pem'))}).point.length; });
      tryIt('cert', function () { return akenza.parsePublicKey(${JSON.stringify(fixture('ec.cert.pem'))}); });
      tryIt('rsaPub', function () { return akenza.parsePublicKey(${JSON.stringify(fixture('rsa.pub.pem'))}); });
      tryIt('p384', function () { return akenza.parsePrivateKey(${JSON.stringify(fixture('p384.pkcs8.pem'))}); });
      tryIt('badChar', function () { return akenza.parsePublicKey(${JSON.stringify(badChar)}); });
      tryIt('padBits', function () { return akenza.parsePublicKey(${JSON.stringify(padBits)}); });
      report({ parsed: out });`, 'parse.js');
    const out = h.reports.find((r) => 'parsed' in r).parsed;
    expect(out.fp).toBe(expectedFingerprints()['ec.pub.pem']);
    expect(out.point).toBe(65);
    expect(out.cert).toMatch(/^PEM_UNSUPPORTED .*certificates/);
    expect(out.rsaPub).toMatch(/^ALG_UNSUPPORTED .*ES256/);
    expect(out.p384).toMatch(/^CURVE_UNSUPPORTED .*curve 1\.3\.132\.0\.34; only P-256/);
    expect(out.badChar).toMatch(/^PEM_INVALID .*invalid character/);
    expect(out.padBits).toMatch(/^PEM_INVALID .*padding bits/);
  });

  it('refuses an RS256 key with a clear error (no BigInt here)', async () => {
    h.script(`akenza.signJwt({ privateKey: ${JSON.stringify(fixture('rsa.pkcs8.pem'))}, deviceId: 'esp-dev' })
      .then(function () { report({ rsa: 'minted?!' }); }, function (e) { report({ rsa: e.code + ' ' + e.message }); });`, 'rsa.js');
    expect((await h.waitForReport((v) => 'rsa' in v, 5000)).rsa).toMatch(/^ALG_UNSUPPORTED .*ES256/);
  });

  it('the core leaves the fallback out: a fallback list loads Storage module akenza-fallback (refused, naming the file, when it is missing; that it is not loaded without a list: espruino-memory.test.ts)', () => {
    // The real src/device/fallback.ts is not in the core's text (its event reasons and fields are
    // gone), but in akenza-fallback's.
    expect(bundle).not.toMatch(/carried by|retryInMs|MQTT down for/);
    expect(readFileSync(join(dist, 'akenza-fallback.js'), 'latin1')).toMatch(/MQTT down for/);
    h.script(`var fbOut = {};
      function tryFb(name, f) { try { f(); fbOut[name] = 'created'; } catch (e) { fbOut[name] = e.code + ' ' + e.message; } }
      var mqtt = { url: 'mqtt://127.0.0.1:1' };
      tryFb('empty', function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} }, mqtt: mqtt, fallback: [] }); });
      tryFb('jwt', function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))}, uplinkSecret: 's3cret-fb' },
        mqtt: mqtt, fallback: [{ type: 'http', url: 'http://127.0.0.1:1' }] }); });
      tryFb('secretOnly', function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { uplinkSecret: 's3cret-fb' },
        mqtt: mqtt, fallback: [{ type: 'coap', url: 'coap://127.0.0.1:1' }] }); });
      Modules.removeCached('akenza-fallback');
      require('Storage').erase('akenza-fallback'); // as on a board where it was not uploaded
      tryFb('missing', function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { uplinkSecret: 's3cret-fb' },
        mqtt: mqtt, fallback: [{ type: 'udp', url: 'udp://127.0.0.1:1' }] }); });
      report({ fb: fbOut });`, 'fallback.js');
    const out = h.reports.find((r) => 'fb' in r).fb;
    expect(out.empty).toBe('created');
    expect(out.jwt).toBe('created');
    expect(out.secretOnly).toBe('created');
    expect(out.missing).toBe('OPTION_INVALID Storage file akenza-fallback is missing: upload dist/espruino/akenza-fallback.js as akenza-fallback (see the README)');
    expect(JSON.stringify(out)).not.toContain('s3cret-fb');
  });

  it('refuses unknown option keys, naming the nearest known one (issue 17, item 8)', () => {
    h.script(`var kOut = {};
      function tryK(name, f) { try { f(); kOut[name] = 'created'; } catch (e) { kOut[name] = e.code + ' ' + e.message; } }
      tryK('top', function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} }, mqttUrl: 'mqtt://127.0.0.1:1' }); });
      tryK('mqtt', function () { akenza.createDevice({ deviceId: 'esp-dev', credentials: { privateKey: ${JSON.stringify(fixture('ec.pkcs8.pem'))} }, mqtt: { url: 'mqtt://127.0.0.1:1', will: {} } }); });
      report({ keys: kOut });`, 'keys.js');
    const out = h.reports.find((r) => 'keys' in r).keys;
    expect(out.top).toBe('OPTION_INVALID unknown option "mqttUrl" (did you mean "mqtt"?)');
    expect(out.mqtt).toMatch(/^OPTION_INVALID unknown option "mqtt.will" \(known: url ca /);
  });
});
