// Registry loading and validation: every refusal names the file and the entry; the API and file forms.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry, RegistryError, startMockCloud } from '../../src/mock/index';
import { expectedFingerprints, fixture } from '../helpers';
import { connackFor, mint, nowS, twoDevices } from './helpers';
import { createPrivateKey } from 'node:crypto';
import { ecSpki } from '../../src/keys';
import { encodePem } from '../../src/pem';
import { verifyJwsSignature } from '../../src/mock/jws-verify';

const dir = mkdtempSync(join(tmpdir(), 'akenza-registry-'));
const file = (name: string, json: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
  return p;
};
const dev = (deviceId: string, ...pems: string[]) => ({ deviceId, credentials: pems.map((publicKey) => ({ publicKey })) });

describe('registry validation names the file and the entry', () => {
  const bad: [string, unknown, RegExp, string?][] = [
    ['rsa1024', { devices: [dev('d1', fixture('rsa1024.pub.pem'))] }, /devices\[0\] \(deviceId "d1"\)\.credentials\[0\]: .*1024 bits/, 'RSA_KEY_TOO_SMALL'],
    ['p384', { devices: [dev('d1', fixture('ec.pub.pem')), dev('d2', fixture('p384.pub.pem'))] }, /devices\[1\] \(deviceId "d2"\)\.credentials\[0\]: .*P-384/, 'CURVE_UNSUPPORTED'],
    ['ed25519', { devices: [dev('d1', fixture('ed25519.pub.pem'))] }, /credentials\[0\]: .*Ed25519/, 'KEY_UNSUPPORTED'],
    ['fourth key', { devices: [dev('d1', fixture('ec.pub.pem'), fixture('rsa.pub.pem'), fixture('ec.cert.pem'), fixture('rsa.cert.pem'))] }, /devices\[0\] \(deviceId "d1"\)\.credentials: 4 keys; a device holds at most 3/],
    ['bad PEM', { devices: [dev('d1', '-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n')] }, /devices\[0\] \(deviceId "d1"\)\.credentials\[0\]: base64: bad padding/, 'PEM_INVALID'],
    ['private key', { devices: [dev('d1', fixture('ec.pkcs8.pem'))] }, /credentials\[0\]: .*never the private key/],
    ['duplicate deviceId', { devices: [dev('d1'), dev('d1')] }, /devices\[1\] \(deviceId "d1"\): duplicate deviceId/],
    ['same key twice', { devices: [dev('d1', fixture('ec.pub.pem'), fixture('ec.pub.pem'))] }, /credentials\[1\]: the same credential is registered twice/],
    ['bad expiresAt', { devices: [{ deviceId: 'd1', credentials: [{ publicKey: fixture('ec.pub.pem'), expiresAt: 'soon' }] }] }, /credentials\[0\]\.expiresAt: must be an ISO-8601/],
    ['bad deviceId', { devices: [dev('a/b')] }, /devices\[0\]: deviceId must be/],
    ['unknown device in connector', { devices: [dev('d1')], connectors: [{ id: 'c', uplinkSecret: 's', devices: ['d1', 'ghost'] }] }, /connectors\[0\] \(id "c"\)\.devices\[1\]: references unknown device "ghost"/],
    ['secret with a slash', { devices: [], connectors: [{ id: 'c', uplinkSecret: 'a/b' }] }, /connectors\[0\] \(id "c"\)\.uplinkSecret/],
    ['duplicate secret', { devices: [], connectors: [{ id: 'c', uplinkSecret: 's' }, { id: 'e', uplinkSecret: 's' }] }, /connectors\[1\] \(id "e"\)\.uplinkSecret: already used by connector "c"/],
    ['duplicate connector', { devices: [], connectors: [{ id: 'c', uplinkSecret: 's' }, { id: 'c', uplinkSecret: 't' }] }, /duplicate connector id/],
    ['bad audienceBase', { audienceBase: 'akenza.io', devices: [] }, /audienceBase: must be an http/],
    ['not an object', [1], /must be a JSON object/],
    // A well-formed encoding of a point that is not on P-256: refused at load, not at the first CONNECT.
    ['EC point off the curve', { devices: [dev('d1', encodePem('PUBLIC KEY', ecSpki(new Uint8Array(65).fill(1).fill(4, 0, 1))))] }, /credentials\[0\]: publicKey is not a valid ES256 key/, 'KEY_INVALID'],
  ];
  for (const [name, json, msg, code] of bad) {
    it(name, () => {
      const p = file(name.replace(/\s/g, '-') + '.json', json);
      let err: unknown;
      try {
        Registry.load(p);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegistryError);
      expect((err as Error).message.startsWith(p + ': ')).toBe(true);
      expect((err as Error).message).toMatch(msg);
      if (code) expect((err as RegistryError).code).toBe(code);
    });
  }

  it('JSON syntax errors name the file; startMockCloud refuses a bad registry file', async () => {
    const p = file('syntax.json', '{"devices": [');
    expect(() => Registry.load(p)).toThrow(p + ': not valid JSON');
    await expect(startMockCloud({ registryFile: file('r.json', { devices: [dev('d1', fixture('rsa1024.pub.pem'))] }) })).rejects.toThrow(/r\.json: devices\[0\]/);
  });
});

describe('registry contents', () => {
  it('accepts the four PEM formats with their fingerprints and an optional expiry', () => {
    const fp = expectedFingerprints();
    const reg = Registry.fromJson({
      audienceBase: 'https://acme.akenza.io/',
      devices: [
        { deviceId: 'd1', credentials: [{ publicKey: fixture('ec.pub.pem') }, { publicKey: fixture('ec.cert.pem'), expiresAt: '2027-01-01T00:00:00Z' }, { publicKey: fixture('rsa.pub-pkcs1.pem') }] },
        dev('d2', fixture('rsa.cert.pem')),
      ],
      connectors: [{ id: 'c1', uplinkSecret: 's3cr3t', devices: ['d1'] }],
    });
    expect(reg.audienceBase).toBe('https://acme.akenza.io');
    expect(reg.device('d1')!.credentials.map((c) => c.kid)).toEqual([fp['ec.pub.pem'], fp['ec.cert.pem'], fp['rsa.pub-pkcs1.pem']]);
    expect(reg.device('d1')!.credentials[1].expiresAt).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(reg.device('d2')!.credentials[0].kid).toBe(fp['rsa.cert.pem']);
    expect(reg.connectorBySecret('s3cr3t')!.id).toBe('c1');
    expect(Registry.fromJson(reg.toJson()).toJson()).toEqual(reg.toJson());
  });

  it('setRegistry swaps the registry of a running cloud; credential expiry follows the mock clock', async () => {
    const { registry, token } = twoDevices();
    const cloud = await startMockCloud({});
    try {
      expect(await connackFor(cloud.mqttPort, 'dev-a', token('dev-a'))).toBe(5);
      cloud.setRegistry(registry);
      expect(await connackFor(cloud.mqttPort, 'dev-a', token('dev-a'))).toBe(0);
      const ec = createPrivateKey(fixture('ec.pkcs8.pem'));
      cloud.setRegistry({ devices: [{ deviceId: 'e', credentials: [{ publicKey: fixture('ec.pub.pem'), expiresAt: new Date(Date.now() + 3_600_000).toISOString() }] }] });
      const t = mint({ key: ec, claims: { aud: 'https://akenza.io/devices/e', exp: nowS() + 3600 } });
      expect(await connackFor(cloud.mqttPort, 'e', t)).toBe(0);
      cloud.setClockOffset(3_600_000);
      expect(await connackFor(cloud.mqttPort, 'e', t)).toBe(5);
      expect(cloud.authLog[cloud.authLog.length - 1].reason).toMatch(/credential .* expired/);
    } finally {
      await cloud.close();
    }
  });
});

describe('signature verification never throws on the broker path', () => {
  it('an unusable key verifies nothing instead of throwing', () => {
    const offCurve = { kty: 'EC', alg: 'ES256', format: 'spki', spki: ecSpki(new Uint8Array(65).fill(1).fill(4, 0, 1)), point: new Uint8Array(65) } as const;
    expect(verifyJwsSignature(offCurve as any, 'ES256', new Uint8Array(10), new Uint8Array(64))).toBe(false);
  });
});
