// The broker's fast paths give the same answers as the plain ones: Buffer-based strict base64url and
// UTF-8 vs src/base64 + src/utf8, the thread-pool JWT check vs the synchronous one, verdicts applied in
// CONNECT order, and packets pipelined behind a CONNECT held until (and dropped on) the verdict.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64urlDecode } from '../../src/base64';
import { InOrder } from '../../src/mock/in-order';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { decodeSegment, segmentText } from '../../src/mock/jws-decode';
import { checkDeviceJwt, checkDeviceJwtAsync, type JwtCheck, type JwtCheckOptions } from '../../src/mock/jwt-auth';
import { Registry } from '../../src/mock/registry';
import { utf8Decode } from '../../src/utf8';
import { b64u, flipSignature, mint, nowS, rawClient } from './helpers';

const strict = (s: string): Uint8Array | null => {
  try {
    return base64urlDecode(s);
  } catch {
    return null;
  }
};

describe('decodeSegment / segmentText', () => {
  it('accepts and rejects exactly what the portable strict decoders do', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .*\n';
    const cases = ['', 'A', 'AA', 'AB', 'AAA', 'AAB', 'AAAA', 'QQ', 'QR', 'QUE', 'QUF', 'QUE=', 'QQ==', '+/8', '-_8', 'ab c', b64u(randomBytes(64))];
    for (let i = 0; i < 3000; i++) {
      const n = Math.floor(Math.random() * 12);
      let s = '';
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(Math.random() * (i % 2 ? 64 : alphabet.length))];
      cases.push(s);
    }
    for (const s of cases) {
      const want = strict(s);
      const got = decodeSegment(s);
      if (want === null) expect(got, JSON.stringify(s)).toBeNull();
      else expect(got && new Uint8Array(got), JSON.stringify(s)).toEqual(new Uint8Array(want));
    }
  });

  it('decodes UTF-8 exactly as the strict decoder (ASCII, multi-byte, malformed)', () => {
    const samples = [Buffer.from('{"a":1}'), Buffer.from('{"aud":"ümlaut ✓ 😀"}'), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xff])];
    for (let i = 0; i < 500; i++) samples.push(randomBytes(1 + (i % 6)));
    for (const b of samples) {
      let want: string | Error;
      try {
        want = utf8Decode(b);
      } catch (e) {
        want = e as Error;
      }
      if (want instanceof Error) expect(() => segmentText(b)).toThrow();
      else expect(segmentText(b)).toBe(want);
    }
  });
});

describe('checkDeviceJwtAsync', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ec2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = (k: { publicKey: { export(o: object): string | Buffer } }) => k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const past = new Date(Date.now() - 60_000).toISOString();
  const reg = Registry.fromJson({
    devices: [
      { deviceId: 'ec', credentials: [{ publicKey: pem(ec) }] },
      { deviceId: 'rsa', credentials: [{ publicKey: pem(rsa) }] },
      { deviceId: 'old', credentials: [{ publicKey: pem(ec), expiresAt: past }] },
    ],
  });
  const aud = (id: string) => 'https://akenza.io/devices/' + id;
  const claims = (id: string) => ({ aud: aud(id), iat: nowS() - 10, exp: nowS() + 600 });
  const cases: [string, string][] = [
    ['ec', mint({ key: ec.privateKey, claims: claims('ec') })],
    ['rsa', mint({ key: rsa.privateKey, claims: claims('rsa') })],
    ['ec', mint({ key: ec2.privateKey, claims: claims('ec') })],
    ['ec', flipSignature(mint({ key: ec.privateKey, claims: claims('ec') }))],
    ['rsa', flipSignature(mint({ key: rsa.privateKey, claims: claims('rsa') }))],
    ['ec', mint({ key: ec.privateKey, claims: { ...claims('ec'), aud: aud('other') } })],
    ['ec', mint({ key: ec.privateKey, claims: { aud: aud('ec'), exp: nowS() - 3600 } })],
    ['old', mint({ key: ec.privateKey, claims: claims('old') })],
    ['ec', mint({ key: rsa.privateKey, claims: claims('ec') })],
    ['nobody', mint({ key: ec.privateKey, claims: claims('nobody') })],
    ['ec', 'a.b'],
  ];
  it('gives the synchronous verdict for every case', async () => {
    for (const [id, token] of cases) {
      const o: JwtCheckOptions = { audience: aud(id), nowMs: Date.now() };
      const want = checkDeviceJwt(reg.device(id), id, token, o);
      const got = await new Promise<JwtCheck>((res) => checkDeviceJwtAsync(reg.device(id), id, token, o, res));
      expect(got, id + ' ' + token.slice(-12)).toEqual(want);
    }
    expect(cases.map(([id, t]) => checkDeviceJwt(reg.device(id), id, t, { audience: aud(id), nowMs: Date.now() }).code)).toEqual([0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 4]);
  });
});

describe('InOrder', () => {
  it('delivers in start order whatever order the work finishes in', async () => {
    const q = new InOrder();
    const out: number[] = [];
    const finishers: ((n: number) => void)[] = [];
    for (let i = 0; i < 5; i++) q.run<number>((finish) => (i === 2 ? finish(i) : finishers.push(finish)), (n) => out.push(n));
    expect(out).toEqual([]);
    finishers[3](4);
    finishers[1](1);
    expect(out).toEqual([]);
    finishers[0](0);
    expect(out).toEqual([0, 1, 2]);
    finishers[2](3);
    expect(out).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('packets pipelined behind a CONNECT', () => {
  const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let cloud: MockCloud;
  beforeAll(async () => {
    cloud = await startMockCloud({ registry: { devices: [{ deviceId: 'pipe', credentials: [{ publicKey: kp.publicKey.export({ type: 'spki', format: 'pem' }) as string }] }] } });
  });
  afterAll(() => cloud.close());
  const burst = (token: string, topic: string) =>
    Buffer.concat([
      mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: 'pipe', username: 'x', password: Buffer.from(token) }),
      mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from('{"n":1}'), qos: 1, messageId: 7, dup: false, retain: false }),
    ]);

  it('are processed after an accepting verdict', async () => {
    const c = await rawClient(cloud.mqttPort);
    c.writeRaw(burst(mint({ key: kp.privateKey, claims: { aud: 'https://akenza.io/devices/pipe', exp: nowS() + 600 } }), '/up/device/id/pipe/t'));
    expect(await c.next('connack')).toMatchObject({ returnCode: 0 });
    expect(await c.next('puback')).toMatchObject({ messageId: 7 });
    expect(cloud.uplinks.at(-1)).toMatchObject({ deviceId: 'pipe', topic: 't', payload: { n: 1 } });
    c.end();
  });

  it('are dropped after a refusing verdict', async () => {
    const before = cloud.uplinks.length;
    const c = await rawClient(cloud.mqttPort);
    c.writeRaw(burst(mint({ key: kp.privateKey, claims: { aud: 'https://akenza.io/devices/other', exp: nowS() + 600 } }), '/up/device/id/pipe/t'));
    expect(await c.next('connack')).toMatchObject({ returnCode: 5 });
    await c.closed;
    expect(cloud.uplinks.length).toBe(before);
  });
});

describe('InOrder and throwing work', () => {
  it('work that throws does not hold back later entries', () => {
    const q = new InOrder();
    const out: number[] = [];
    let first: ((n: number) => void) | undefined;
    q.run<number>((finish) => (first = finish), (n) => out.push(n));
    expect(() => q.run<number>(() => { throw new Error('boom'); }, (n) => out.push(n))).toThrow('boom');
    q.run<number>((finish) => finish(3), (n) => out.push(n));
    first!(1);
    expect(out).toEqual([1, 3]);
  });
});
