// The 24 h token limit (issue 17, item 10): each entry point's refusal names the option its user set,
// with the value set and the largest accepted, 86,340 s with the 60 s iat backdate (86,400 s from
// iat to exp). createDevice says tokenLifetimeS, signJwt lifetimeS, the CLI --lifetime.
import { describe, expect, it } from 'vitest';
import { createDevice as createCoreDevice } from '../../src/device/device';
import { errorText } from '../../src/errors';
import { signJwt as portableSignJwt } from '../../src/index';
import { createDevice, signJwt as nodeSignJwt } from '../../targets/node/index';
import { createScriptedPlatform, recordingBroker } from '../device/scripted-platform';
import { FIXTURES, fixture } from '../helpers';
import { join } from 'node:path';
import { runMain } from '../cli/run';

const privateKey = fixture('ec.pkcs8.pem');
const EC = join(FIXTURES, 'ec.pkcs8.pem');
const device = { deviceId: 'd1', credentials: { privateKey }, mqtt: { url: 'mqtt://127.0.0.1:1' } };
const thrown = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return errorText(e);
  }
  return 'no error';
};

describe('the 24 h lifetime limit, in the words of each entry point', () => {
  it('createDevice (Node and the portable core) names tokenLifetimeS, what was set and 86340', () => {
    const want = 'OPTION_INVALID: tokenLifetimeS is 86341 s; at most 86340 s (24 h from iat, set 60 s back)';
    expect(thrown(() => createDevice({ ...device, tokenLifetimeS: 86341 }))).toBe(want);
    expect(thrown(() => createCoreDevice(createScriptedPlatform(recordingBroker().broker).platform, { ...device, tokenLifetimeS: 86341 }))).toBe(want);
    expect(thrown(() => createDevice({ ...device, tokenLifetimeS: 90000 }))).toMatch(/^OPTION_INVALID: tokenLifetimeS is 90000 s; at most 86340 s /);
    expect(thrown(() => createDevice({ ...device, tokenLifetimeS: -5 }))).toBe('OPTION_INVALID: tokenLifetimeS must be a positive whole number of seconds');
    // 0 is a value set, not "unset": refused like -5, never the 60-minute default in its place
    expect(thrown(() => createDevice({ ...device, tokenLifetimeS: 0 }))).toBe('OPTION_INVALID: tokenLifetimeS must be a positive whole number of seconds');
    expect(thrown(() => createDevice({ ...device, tokenLifetimeS: 86340 }))).toBe('no error'); // the longest accepted
  });

  it('signJwt (both entries) names lifetimeS, and the backdate it was given', async () => {
    for (const signJwt of [nodeSignJwt, portableSignJwt]) {
      const text = (o: object) => signJwt({ privateKey, deviceId: 'd1', ...o }).then(() => 'no error', errorText);
      expect(await text({ lifetimeS: 86400 })).toBe('OPTION_INVALID: lifetimeS is 86400 s; at most 86340 s (24 h from iat, set 60 s back)');
      expect(await text({ lifetimeS: 86000, iatBackdateS: 600 })).toBe('OPTION_INVALID: lifetimeS is 86000 s; at most 85800 s (24 h from iat, set 600 s back)');
      expect(await text({ lifetimeS: 86340 })).toBe('no error');
    }
  });

  it('the CLI: jwt names --lifetime and what was given, simulate its range; 86340 is accepted', async () => {
    const jwt = await runMain('jwt', '--key', EC, '--device', 'd1', '--lifetime', '86341');
    expect(jwt.code).toBe(2);
    expect(jwt.stderr).toMatch(/^akenza-device jwt: --lifetime 86341 is more than 86340 s, the longest accepted \(iat is 60 s before now; the platform accepts at most 86400 s from iat to exp\)\n/);
    const word = await runMain('jwt', '--key', EC, '--device', 'd1', '--lifetime', '1h');
    expect(word.stderr).toMatch(/^akenza-device jwt: --lifetime "1h" is not whole seconds from 1 to 86340 /);
    expect((await runMain('jwt', '--key', EC, '--device', 'd1', '--lifetime', '86340')).code).toBe(0);
    const sim = await runMain('simulate', '--lifetime', '86341');
    expect(sim.code).toBe(2);
    expect(sim.stderr).toMatch(/^akenza-device simulate: --lifetime must be a whole number from 2 to 86340 \(got "86341"\)/);
  });
});
