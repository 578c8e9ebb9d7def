// A listener that can be stopped and started again on the same port (fault injection): TCP/TLS/HTTP
// servers with their open sockets tracked so stop() cuts them, and UDP sockets (udp6 for an IPv6 host).
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIPv6, type Server } from 'node:net';
import type { Socket } from 'node:net';

/** The mock's listeners: MQTT, MQTT/TLS, MQTT over WebSocket (ws, wss), HTTP, CoAP and UDP capture. */
export type ListenerName = 'mqtt' | 'mqtts' | 'ws' | 'wss' | 'http' | 'coap' | 'udp';

interface Opened {
  port: number;
  close(): Promise<void>;
}

export class Listener {
  running = false;
  private opened?: Opened;
  constructor(
    readonly name: ListenerName | 'admin',
    readonly host: string,
    public port: number,
    private readonly open: (port: number, host: string) => Promise<Opened>,
  ) {}

  /** Listens (again) on `port`; the first start with port 0 picks a free one, later starts reuse it. */
  async start(): Promise<void> {
    if (this.running) return;
    this.opened = await this.open(this.port, this.host);
    this.port = this.opened.port;
    this.running = true;
  }

  /** Stops listening and cuts every open connection; the port is kept for start(). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const o = this.opened!;
    this.opened = undefined;
    await o.close();
  }
}

/** Opener for a stream server made fresh on every start (a closed net.Server cannot listen again reliably). */
export function streamOpener(make: () => Server): (port: number, host: string) => Promise<Opened> {
  return (port, host) =>
    new Promise((resolve, reject) => {
      const server = make();
      const sockets = new Set<Socket>();
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        const addr = server.address();
        resolve({
          port: typeof addr === 'object' && addr ? addr.port : port,
          close: () =>
            new Promise<void>((res) => {
              server.close(() => res());
              for (const s of sockets) s.destroy();
            }),
        });
      });
    });
}

/** Opener for a UDP socket; `attach` wires its message handler and may return a cleanup for stop(). */
export function udpOpener(attach: (sock: UdpSocket) => (() => void) | void): (port: number, host: string) => Promise<Opened> {
  return (port, host) =>
    new Promise((resolve, reject) => {
      const sock = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
      sock.once('error', reject);
      sock.bind(port, host, () => {
        sock.off('error', reject);
        sock.on('error', () => undefined);
        const cleanup = attach(sock);
        resolve({
          port: sock.address().port,
          close: () =>
            new Promise<void>((res) => {
              if (cleanup) cleanup();
              sock.close(() => res());
            }),
        });
      });
    });
}
