// The CoAP client takes replies only from the peer its request went to (issue 17, item 3): real
// UDP sockets, the request sent to a host name ('localhost'), a second socket spoofing an empty
// ACK (and a piggy-backed response) with the right message id and token: ignored and counted; the
// server's own ACK is accepted.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoapClient, type CoapError } from '../../src/uplink/coap/client';
import { ACK, encodeCoap, parseCoap, POST, stringOption, OPT, type CoapMessage } from '../../src/uplink/coap/codec';
import { nodePlatform } from '../../targets/node/platform';

const sockets: Socket[] = [];
const bound = async () => {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
};
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
/** Lets Node run until `f` holds, at most `turns` event-loop turns (no wall-clock limit). */
async function until(f: () => boolean, turns = 100000): Promise<boolean> {
  for (let i = 0; i < turns && !f(); i++) await new Promise<void>((r) => setImmediate(r));
  return f();
}
const empty = new Uint8Array(0);

describe('CoAP client: replies only from the request peer (real sockets)', () => {
  it('a spoofed empty ACK and a spoofed response from another port are ignored and counted; the server ACK is accepted', async () => {
    const server = await bound();
    const spoofer = await bound();
    let request: { m: CoapMessage; from: RemoteInfo } | null = null;
    server.on('message', (b, from) => (request = { m: parseCoap(new Uint8Array(b)) as CoapMessage, from }));
    const client = createCoapClient(nodePlatform, { ackTimeoutMs: 60000 }); // no retransmission while the test runs
    const results: { err: CoapError | null; res?: CoapMessage }[] = [];
    client.request({ host: 'localhost', port: server.address().port, code: POST, options: [stringOption(OPT.uriPath, 'up')], payload: new Uint8Array([0x7b, 0x7d]) }, (err, res) => results.push({ err, res }));
    expect(await until(() => request !== null)).toBe(true);
    const { m, from } = request!;
    const send = (s: Socket, msg: CoapMessage) => new Promise<void>((r) => s.send(encodeCoap(msg), from.port, from.address, () => r()));
    await send(spoofer, { type: ACK, code: 0, messageId: m.messageId, token: empty, options: [], payload: empty });
    await send(spoofer, { type: ACK, code: 68, messageId: m.messageId, token: m.token, options: [], payload: new Uint8Array([0x21]) });
    await until(() => client.foreign === 2, 20000); // both spoofs read (bounded in turns either way)
    expect(results).toEqual([]);
    await send(server, { type: ACK, code: 65, messageId: m.messageId, token: m.token, options: [], payload: new Uint8Array([0x6f, 0x6b]) });
    expect(await until(() => results.length === 1)).toBe(true);
    expect(results[0].err).toBe(null);
    expect(results[0].res!.code).toBe(65);
    expect(Buffer.from(results[0].res!.payload).toString()).toBe('ok');
    expect(client.foreign).toBe(2);
    client.close();
  });
});
