// The HTTP capture takes the device id from the `deviceId` query parameter or the platform's
// `x-device-id` header (docs/protocol.md, HTTP): either alone works, both must agree, neither is a
// 400. Driven by a real HTTP client (node:http) against startMockCloud.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockCloud, type MockCloud } from '../../src/mock/index';
import { twoDevices } from './helpers';

const { registry } = twoDevices();
let cloud: MockCloud;
const lines: string[] = [];

beforeAll(async () => {
  cloud = await startMockCloud({ registry, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await cloud.close();
});

/** POST /v3/capture with `query` and raw `headers` (a header may be given twice: [name, value] pairs; raw headers need Host and Content-Length by hand). */
function post(query: string, headers: [string, string][], body = '{"t":21.5}'): Promise<{ status: number; json: { [k: string]: unknown } }> {
  return new Promise((resolve, reject) => {
    const flat = headers.flat().concat(['host', '127.0.0.1:' + cloud.httpPort, 'content-type', 'application/json', 'secret', 's3cr3t', 'content-length', String(Buffer.byteLength(body))]);
    const req = request({ host: '127.0.0.1', port: cloud.httpPort, method: 'POST', path: '/v3/capture' + query, headers: flat }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const last = () => cloud.uplinks[cloud.uplinks.length - 1];

describe('HTTP capture: deviceId query parameter and x-device-id header', () => {
  it('the x-device-id header alone names the device (the platform\'s documented form)', async () => {
    const r = await post('?topic=env', [['x-device-id', 'dev-a']]);
    expect(r.status).toBe(200);
    expect(r.json.message).toBe('uplink received');
    expect(last()).toMatchObject({ deviceId: 'dev-a', topic: 'env', transport: 'http', payload: { t: 21.5 } });
  });

  it('the deviceId query parameter alone names the device', async () => {
    const r = await post('?deviceId=dev-b&topic=q', []);
    expect(r.status).toBe(200);
    expect(last()).toMatchObject({ deviceId: 'dev-b', topic: 'q' });
  });

  it('both, agreeing: accepted', async () => {
    const r = await post('?deviceId=dev-a&topic=both', [['x-device-id', 'dev-a']]);
    expect(r.status).toBe(200);
    expect(last()).toMatchObject({ deviceId: 'dev-a', topic: 'both' });
  });

  it('both, different: 400 and no uplink recorded (neither wins)', async () => {
    const before = cloud.uplinks.length;
    const r = await post('?deviceId=dev-a&topic=x', [['x-device-id', 'dev-b']]);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('deviceId query parameter and x-device-id header differ');
    expect(cloud.uplinks.length).toBe(before);
  });

  it('neither: 400 naming both places', async () => {
    const r = await post('?topic=x', []);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('missing deviceId (query parameter deviceId or header x-device-id)');
    const empty = await post('?deviceId=&topic=x', [['x-device-id', '']]); // empty values count as absent
    expect(empty.status).toBe(400);
    expect(empty.json.error).toBe('missing deviceId (query parameter deviceId or header x-device-id)');
  });

  it('the header given twice: 400, even with one value', async () => {
    const r = await post('?topic=x', [['x-device-id', 'dev-a'], ['x-device-id', 'dev-b']]);
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('x-device-id header given more than once');
  });

  it('a refusal of a header-named device is logged and recorded under that device', async () => {
    const r = await post('?topic=x', [['x-device-id', 'dev-c']]); // in the registry, not in the connector
    expect(r.status).toBe(404);
    expect(cloud.authLog[cloud.authLog.length - 1]).toMatchObject({ transport: 'http', code: 404, deviceId: 'dev-c' });
    expect(lines.some((l) => l.includes('http: refused device "dev-c" (404)'))).toBe(true);
  });

  it('works from fetch too (header form, as the platform documents it)', async () => {
    const r = await fetch('http://127.0.0.1:' + cloud.httpPort + '/v3/capture?topic=f', { method: 'POST', headers: { secret: 's3cr3t', 'x-device-id': 'dev-b', 'content-type': 'application/json' }, body: '[1,2]' });
    expect(r.status).toBe(200);
    expect(last()).toMatchObject({ deviceId: 'dev-b', topic: 'f', payload: [1, 2] });
  });
});
