// The uplink record's byte bound holds when the user changes the live `cloud.uplinks` array or its entries.
import { describe, expect, it } from 'vitest';
import { makeUplink, UplinkLog, uplinkWeight } from '../../src/mock/uplinks';

const up = (n: number) => makeUplink({ deviceId: 'd', transport: 'http', topic: 't', raw: new Uint8Array(Buffer.from(JSON.stringify({ n, pad: 'x'.repeat(900) }))), time: 0, auth: 'secret' });

describe('UplinkLog', () => {
  it('keeps its byte sum right after the user empties the live list or edits entries, so trimming stays proportional', () => {
    const one = uplinkWeight(up(0));
    const log = new UplinkLog(1000, one * 10);
    for (let i = 0; i < 8; i++) log.add(up(i));
    log.list[0].json = false; // a user edit must not change what the entry was counted as
    log.list.length = 0; // the user clears cloud.uplinks between tests
    for (let i = 0; i < 8; i++) log.add(up(100 + i));
    expect(log.list.length).toBe(8); // with a stale sum (16 entries' worth) this trimmed down to a few
    expect(log.bytes).toBe(log.list.reduce((n, u) => n + uplinkWeight(u), 0));
    for (let i = 0; i < 10; i++) log.add(up(200 + i));
    expect(log.bytes).toBeLessThanOrEqual(one * 10);
    expect(log.list.reduce((n, u) => n + uplinkWeight(u), 0)).toBe(log.bytes);
  });
});
