// The Moddable bundles in the real Moddable SDK 8.2.3 (XS, lin, headless), built the README's way:
// the app's manifest includes manifest_base and the bundle's manifest (one line), nothing else.
// One app per bundle runs every check in sequence against the mock cloud started here and traces
// results as `@@ {json}` lines (test/real-engines/moddable/app/main.js); the assertions are here.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { fingerprint } from '../../src/keys';
import { expectedFingerprints, fixture, nodeVerifyJwt } from '../helpers';
import { realEngines, skipWithout } from './kit';
import { appFolder, killAll, record, removeApp, runApp, type AppRun } from './moddable/run';

const here = join(import.meta.dirname, 'moddable', 'app');
const template = (name: string) => readFileSync(join(here, name), 'utf8');
const SEED = '11'.repeat(16) + '22'.repeat(16) + '33'.repeat(16);
const LIFETIME_S = 2;
const FB_SECRET = 'moddable-fb-S3cret';

/**
 * The app's manifest: what the README tells users, plus the test's fixtures and a preloaded BigInt
 * module. MODDABLE_STACK=N gives the app its own creation.stack (to measure what the bundles need).
 */
function manifest(include: string): string {
  return JSON.stringify({
    include: ['$(MODDABLE)/examples/manifest_base.json', include],
    modules: { '*': ['./main', './fixtures'], bigconst: './bigconst' },
    preload: ['bigconst'],
    defines: { xs: { abortHook: 1 } },
    ...(process.env.MODDABLE_STACK ? { creation: { stack: Number(process.env.MODDABLE_STACK) } } : {}),
  }, null, 2);
}

const variants = [
  { name: 'default', app: 'akenza-xs-default', include: './akenza-device/manifest.json' },
  { name: 'noble', app: 'akenza-xs-noble', include: './akenza-device/manifest-noble.json' },
];

afterAll(() => killAll());

describe.skipIf(skipWithout('moddable'))('Moddable SDK (real XS, lin)', () => {
  describe.each(variants)('$name bundle', (variant) => {
    let cloud: MockCloud;
    let run: AppRun;
    let dir = '';
    const acted: string[] = [];

    beforeAll(async () => {
      const engines = realEngines()!;
      cloud = await startMockCloud({
        registry: {
          devices: [
            { deviceId: 'dev-es', credentials: [{ publicKey: fixture('ec.pub.pem') }] },
            { deviceId: 'dev-tls', credentials: [{ publicKey: fixture('ec.pub.pem') }] },
            { deviceId: 'dev-fb', credentials: [{ publicKey: fixture('ec.pub.pem') }] },
          ],
          connectors: [{ id: 'conn-fb', uplinkSecret: FB_SECRET, devices: ['dev-fb'] }],
        },
      });
      await cloud.faults.stopListener('mqtt'); // down at start: the device must retry
      const fixtures = {
        EC: fixture('ec.pkcs8.pem'), RSA: fixture('rsa.pkcs8.pem'), CA: cloud.caPem,
        WRONG_CA: fixture('rsa.cert.pem'), // a certificate that did not sign the server's
        mqttPort: cloud.mqttPort, mqttsPort: cloud.mqttsPort, wsPort: cloud.wsPort, wssPort: cloud.wssPort, seedHex: SEED, lifetimeS: LIFETIME_S,
        httpPort: cloud.httpPort, coapPort: cloud.coapPort, udpPort: cloud.udpPort, fbSecret: FB_SECRET,
      };
      dir = appFolder(variant.app, {
        'manifest.json': manifest(variant.include),
        'main.js': template('main.js'),
        'bigconst.js': template('bigconst.js'),
        'fixtures.js': 'export default ' + JSON.stringify(fixtures) + ';\n',
      });
      run = await runApp(engines, dir, {
        timeoutS: 150,
        onLine: (line) => process.env.MODDABLE_TRACE && console.log(variant.name + ': ' + line),
        onRecord: (r) => {
          if (r.phase === 'broker-down-seen') {
            acted.push('broker started');
            void cloud.faults.startListener('mqtt');
          } else if (r.phase === 'fb-stop-mqtt') void cloud.faults.stopListener('mqtt');
          else if (r.phase === 'fb-stop-http') void cloud.faults.stopListener('http');
          else if (r.phase === 'fb-stop-coap') void cloud.faults.stopListener('coap');
          else if (r.phase === 'fb-start-all') {
            for (const l of ['mqtt', 'http', 'coap'] as const) void cloud.faults.startListener(l);
          } else if (r.phase === 'send-downlink') {
            acted.push('downlink sent: ' + cloud.sendDownlink('dev-es', { led: 'on' }, { topic: 'cmd' }));
          }
        },
      });
      console.log(`moddable ${variant.name}: app built in ${run.buildS} s; ES256 ${record(run, 'es256').ms} ms, RS256 ${record(run, 'rs256').ms} ms`);
    }, 400_000);
    afterAll(async () => {
      if (cloud) await cloud.close();
      if (dir) removeApp(dir);
    });

    it('builds with the one include line and runs every check to @@exit 0 (no abort, no stack overflow)', () => {
      expect(run.stderr).not.toMatch(/not found|build of .* failed/);
      expect(run.status, run.lines.slice(-20).join('\n') + '\n' + run.stderr.slice(-2000)).toBe(0);
      expect(run.records.filter((r) => r.failed)).toEqual([]);
      expect(run.lines.join('\n')).not.toMatch(/abort:|read-only buffer|stack overflow/);
    });

    it('mints ES256 (kid auto) and RS256 tokens that node:crypto verifies', () => {
      const es = record(run, 'es256');
      const d = nodeVerifyJwt(es.token, fixture('ec.pub.pem'));
      expect(d.header).toMatchObject({ alg: 'ES256', kid: expectedFingerprints()['ec.pub.pem'] });
      expect(d.claims.aud).toBe('https://akenza.io/devices/dev-es');
      expect(d.claims.exp - d.claims.iat).toBeGreaterThanOrEqual(600); // iat is backdated a little
      const rs = nodeVerifyJwt(record(run, 'rs256').token, fixture('rsa.pub.pem'));
      expect(rs.header.alg).toBe('RS256');
      expect(rs.claims.aud).toBe('https://akenza.io/devices/dev-rs');
    });

    it('a bad key is an AkenzaError with its code (signJwt rejects, createDevice throws)', () => {
      expect(record(run, 'badKey').error).toMatchObject({ name: 'AkenzaError', isAkenzaError: true, isError: true });
      expect(record(run, 'badKey').error.code).toMatch(/^(PEM_INVALID|KEY_INVALID)$/);
      expect(record(run, 'badKeyDevice').error).toMatchObject({ name: 'AkenzaError', isAkenzaError: true });
      expect(record(run, 'badKeyDevice').error.code).toMatch(/^(PEM_INVALID|KEY_INVALID|PEM_UNSUPPORTED)$/);
    });

    it('generateKeyPair: without randomBytes a typed error (no crypto.getRandomValues), with it a key node:crypto accepts', () => {
      expect(record(run, 'keygenWithoutRng').error).toMatchObject({ name: 'AkenzaError', code: 'ENTROPY_UNAVAILABLE', isAkenzaError: true });
      const kg = record(run, 'keygen');
      const token = nodeVerifyJwt(kg.token, kg.publicKeyPem);
      expect(token.header.kid).toBe(kg.fingerprint);
      expect(fingerprint(kg.publicKeyPem)).toBe(kg.fingerprint);
      expect(createPublicKey(kg.publicKeyPem).asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
      expect(kg.d).toMatch(/^[0-9a-f]{64}$/);
    });

    it('mqtt: retries while the broker is down, connects when it is back, gets a downlink', () => {
      const m = record(run, 'mqtt');
      expect(acted).toEqual(['broker started', 'downlink sent: 1']);
      expect(m.failedAttempts).toBeGreaterThanOrEqual(2);
      const firstConnect = m.events.findIndex((e: any) => e.event === 'connected');
      expect(m.events.slice(0, firstConnect).filter((e: any) => e.event === 'disconnected').length).toBeGreaterThanOrEqual(2);
      expect(m.downlink).toEqual({ subTopic: 'cmd', text: '{"led":"on"}' });
    });

    it('mqtt: at least 3 token refreshes with 2 s tokens; every QoS 1 publish acked and recorded by the cloud', () => {
      const m = record(run, 'mqtt');
      const refreshes = m.events.filter((e: any) => e.event === 'tokenRefreshed');
      expect(refreshes.length).toBeGreaterThanOrEqual(3);
      for (const r of refreshes) expect(r.exp).toBeGreaterThan(r.previousExp);
      expect(m.events.filter((e: any) => e.event === 'disconnected' && e.planned).length).toBeGreaterThanOrEqual(3);
      expect(m.published).toBeGreaterThan(10);
      expect(m.notAcked).toEqual([]);
      expect(m.acked).toBe(m.published);
      const seen = new Set(cloud.uplinks.filter((u) => u.deviceId === 'dev-es' && u.topic === 'seq').map((u) => (u.payload as any).n));
      const missing = Array.from({ length: m.published }, (_, i) => i).filter((i) => !seen.has(i));
      expect(missing).toEqual([]);
      // every connection used a fresh token the mock accepted (one per refresh, plus the first)
      const accepted = cloud.authLog.filter((e) => e.clientId === 'dev-es' && e.code === 0);
      expect(accepted.length).toBeGreaterThanOrEqual(4);
    });

    it('mqtts: verifies the server against the CA (PEM given, DER inside), publishes QoS 1', () => {
      const t = record(run, 'mqtts');
      expect(t.connected).toBe(true);
      expect(t.acked).toBe(true);
      const u = cloud.uplinks.find((x) => x.deviceId === 'dev-tls' && x.topic === 'tls');
      expect(u).toMatchObject({ transport: 'mqtts', payload: { over: 'tls' } });
    });

    it('MQTT over WebSocket (ws://, wss:// with the CA): QoS 1 acked before and after a refresh, recorded once each', () => {
      for (const scheme of ['ws', 'wss']) {
        const t = record(run, scheme);
        expect(t.connected, scheme).toBe(true);
        expect(t.acked, scheme).toEqual([true, true]);
        expect(t.events.filter((e: any) => e.event === 'tokenRefreshed').length, scheme).toBe(1);
        const got = cloud.uplinks.filter((x) => x.deviceId === 'dev-tls' && x.topic === 'ws' && (x.payload as any).over === scheme);
        expect(got.map((x) => [x.transport, (x.payload as any).n]), scheme).toEqual([[scheme === 'ws' ? 'mqtt' : 'mqtts', 1], [scheme === 'ws' ? 'mqtt' : 'mqtts', 2]]);
      }
    });

    it('fallback: MQTT stopped -> HTTP -> CoAP -> UDP -> MQTT back; each message once (UDP at most once, counted), on the transport reported', () => {
      const f = record(run, 'fallback');
      expect(f.failed).toBeUndefined();
      expect(f.results).toEqual(['mqtt', 'mqtt', 'mqtt', 'http', 'http', 'http', 'coap', 'coap', 'coap', 'udp', 'udp', 'udp', 'mqtt again', 'mqtt again', 'mqtt again']);
      expect(f.events.filter((e: any) => e.event === 'fallback').map((e: any) => e.transport)).toEqual(['http', 'coap', 'udp', 'mqtt']);
      expect(f.sent).toEqual({ mqtt: 6, http: 3, coap: 3, udp: 3 });
      const got = cloud.uplinks.filter((u) => u.deviceId === 'dev-fb' && u.topic === 'fb');
      const by = (phase: string) => got.filter((u) => (u.payload as any).phase === phase);
      for (const [phase, transport] of [['mqtt', 'mqtt'], ['http', 'http'], ['coap', 'coap'], ['mqtt again', 'mqtt']]) {
        expect(by(phase).map((u) => [u.transport, (u.payload as any).s]), phase).toEqual([0, 1, 2].map((i) => [transport, by(phase).length ? (by(phase)[0].payload as any).s + i : -1]));
        expect(by(phase).length, phase).toBe(3);
      }
      expect(by('udp').length).toBeLessThanOrEqual(3);
      expect(by('udp').length).toBeGreaterThanOrEqual(2); // loopback: counted, none expected lost
      expect(by('udp').every((u) => u.transport === 'udp')).toBe(true);
      expect(JSON.stringify(f)).not.toContain(FB_SECRET);
    });

    it('mqtts with a CA that did not sign the server: refused, reported as a disconnect event, the app lives on', () => {
      const t = record(run, 'mqttsWrongCa');
      expect(t.refused.failed).toBeUndefined();
      expect(t.refused.message).toBeTruthy();
      expect(t.events.some((e: any) => e.event === 'connected')).toBe(false);
      // it kept retrying (each refused the same way) until stopped; the run still ended with @@exit 0
      expect(t.events.filter((e: any) => e.event === 'disconnected').length).toBeGreaterThanOrEqual(2);
      console.log(`moddable ${variant.name}: wrong CA reported as: ${JSON.stringify(t.refused)}`);
    });

    it('engine behaviour: a preloaded BigInt constant is not === to the same runtime BigInt (why noble is not preloaded)', () => {
      const e = record(run, 'engine');
      expect(e.bigint).toBe('function');
      expect(e.preloadedOnePlusZero).toBe(true);
      expect(e.preloadedOne).toBe(false);
    });
  });
});
