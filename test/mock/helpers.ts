// Mock-cloud test helpers: tokens minted by node:crypto directly (not by our signer), and a raw MQTT
// client on mqtt-packet that reports CONNACK codes, packets and the close.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqttPacket, { type Packet } from 'mqtt-packet';

export const b64u = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** The token with one bit of its signature flipped: well-formed, and its signature fails. */
export function flipSignature(t: string): string {
  const p = t.split('.');
  const s = Buffer.from(p[2], 'base64url');
  s[5] ^= 1;
  return p[0] + '.' + p[1] + '.' + b64u(s);
}

export interface MintOptions {
  key: KeyObject | string;
  alg?: string;
  header?: { [k: string]: unknown };
  claims: { [k: string]: unknown };
  /** Replaces the DER/p1363 choice: 'der' gives an ES256 DER signature. */
  dsaEncoding?: 'der' | 'ieee-p1363';
}

/** A compact JWS signed with node:crypto: {alg, typ, ...header}.{claims}.sig */
export function mint(o: MintOptions): string {
  const key = typeof o.key === 'string' ? createPrivateKey(o.key) : o.key;
  const alg = o.alg || (key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256');
  const input = b64u(JSON.stringify({ alg, typ: 'JWT', ...o.header })) + '.' + b64u(JSON.stringify(o.claims));
  const sig =
    key.asymmetricKeyType === 'ec'
      ? sign('sha256', Buffer.from(input), { key, dsaEncoding: o.dsaEncoding || 'ieee-p1363' })
      : sign('sha256', Buffer.from(input), key);
  return input + '.' + b64u(sig);
}

export const nowS = (): number => Math.floor(Date.now() / 1000);

export interface RawClient {
  socket: Socket;
  packets: Packet[];
  closed: Promise<void>;
  isClosed(): boolean;
  send(p: Packet): void;
  writeRaw(b: Uint8Array): void;
  next(cmd: string, timeoutMs?: number): Promise<Packet>;
  end(): void;
}

export function rawClient(port: number, opts: { tls?: { ca: string } } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = opts.tls
      ? tlsConnect({ host: '127.0.0.1', port, ca: opts.tls.ca, servername: 'localhost' })
      : netConnect({ host: '127.0.0.1', port });
    const parser = mqttPacket.parser();
    const packets: Packet[] = [];
    let waiters: { cmd: string; fn: (p: Packet) => void }[] = [];
    let closedFlag = false;
    const closed = new Promise<void>((res) => socket.on('close', () => {
      closedFlag = true;
      res();
    }));
    parser.on('packet', (p: Packet) => {
      packets.push(p);
      const w = waiters.find((x) => x.cmd === p.cmd);
      if (w) {
        waiters = waiters.filter((x) => x !== w);
        w.fn(p);
      }
    });
    socket.on('data', (d: Buffer) => parser.parse(d));
    socket.on('error', () => undefined);
    socket.once(opts.tls ? 'secureConnect' : 'connect', () =>
      resolve({
        socket,
        packets,
        closed,
        isClosed: () => closedFlag,
        send: (p) => socket.write(mqttPacket.generate(p)),
        writeRaw: (b) => socket.write(b),
        next: (cmd, timeoutMs = 5000) => {
          const seen = packets.findIndex((p) => p.cmd === cmd);
          if (seen >= 0) return Promise.resolve(packets.splice(seen, 1)[0]);
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('no ' + cmd + ' within ' + timeoutMs + ' ms')), timeoutMs);
            const onClose = () => rej(new Error('connection closed while waiting for ' + cmd));
            closed.then(onClose);
            waiters.push({ cmd, fn: (p) => {
              clearTimeout(t);
              packets.splice(packets.indexOf(p), 1);
              res(p);
            } });
          });
        },
        end: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}

/** Connects with the given credentials; resolves with the CONNACK return code and the client. */
export async function connectRaw(port: number, c: { clientId: string; username?: string; password?: string; keepalive?: number }, tls?: { ca: string }): Promise<{ code: number; client: RawClient }> {
  const client = await rawClient(port, { tls });
  client.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: c.keepalive ?? 60, clientId: c.clientId, username: c.username ?? 'device', password: c.password === undefined ? undefined : Buffer.from(c.password) });
  const ack = (await client.next('connack')) as { returnCode?: number };
  return { code: ack.returnCode as number, client };
}

/** CONNACK code for one token (and closes the connection). */
export async function connackFor(port: number, clientId: string, token: string): Promise<number> {
  const { code, client } = await connectRaw(port, { clientId, password: token });
  client.end();
  return code;
}

import { generateKeyPairSync } from 'node:crypto';
import type { RegistryJson } from '../../src/mock/index';

/** Two ES256 devices (a, b) and a connector `conn-1` (secret s3cr3t) holding both. */
export function twoDevices() {
  const a = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const b = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
  const registry: RegistryJson = {
    devices: [
      { deviceId: 'dev-a', credentials: [{ publicKey: pem(a.publicKey) }] },
      { deviceId: 'dev-b', credentials: [{ publicKey: pem(b.publicKey) }] },
      { deviceId: 'dev-c' },
    ],
    connectors: [{ id: 'conn-1', uplinkSecret: 's3cr3t', devices: ['dev-a', 'dev-b'] }],
  };
  const token = (id: 'dev-a' | 'dev-b', claims: { [k: string]: unknown } = {}) =>
    mint({ key: id === 'dev-a' ? a.privateKey : b.privateKey, claims: { aud: 'https://akenza.io/devices/' + id, iat: nowS() - 60, exp: nowS() + 3600, ...claims } });
  return { registry, token, keys: { a, b } };
}
