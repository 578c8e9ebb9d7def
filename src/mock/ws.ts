// MQTT over WebSocket (ws:// and wss://, path /mqtt, as the platform's wss://mqtt.akenza.io:443/mqtt):
// an HTTP(S) server whose upgrades at /mqtt become binary streams handed to the same broker path as
// TCP and TLS connections, so auth, ACLs, limits and faults are the same. Other requests get 404/426.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';

/** The WebSocket path of the MQTT endpoint. */
export const WS_PATH = '/mqtt';

/** MQTT subprotocol names a client may offer (MQTT.js sends 'mqtt'; some older clients 'mqttv3.1'). */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

export interface WsServerOptions {
  /** TLS (wss) when given. */
  tls?: { cert: string; key: string };
  /** Largest WebSocket message (the broker bounds MQTT packets itself). */
  maxPayload: number;
  /** Takes the MQTT byte stream of an accepted WebSocket. */
  accept(stream: Socket, req: IncomingMessage): void;
}

function plain(res: ServerResponse, status: number, text: string, headers: { [k: string]: string } = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** An HTTP or HTTPS server (not listening) serving MQTT over WebSocket at /mqtt. */
export function makeWsServer(o: WsServerOptions): Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url || '/').split('?')[0];
    if (path === WS_PATH) plain(res, 426, 'MQTT over WebSocket: connect with a WebSocket client (subprotocol mqtt)\n', { upgrade: 'websocket', connection: 'close' });
    else plain(res, 404, 'not found: MQTT over WebSocket is served at ' + WS_PATH + '\n');
  };
  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : createHttpServer(onRequest);
  if (o.tls) server.on('tlsClientError', () => undefined);
  server.on('clientError', (_e, sock: Duplex) => sock.destroy());
  const wss = new WebSocketServer({
    server,
    path: WS_PATH,
    maxPayload: o.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (offered) => {
      for (const p of SUBPROTOCOLS) if (offered.has(p)) return p;
      return false;
    },
  });
  wss.on('error', () => undefined);
  wss.on('connection', (ws, req) => {
    const stream = createWebSocketStream(ws) as Duplex & Partial<Pick<Socket, 'setNoDelay'>>;
    // The session sets TCP_NODELAY on its socket: here the TCP socket under the WebSocket.
    stream.setNoDelay = (v?: boolean) => {
      req.socket.setNoDelay(v);
      return stream as unknown as Socket;
    };
    stream.on('error', () => undefined);
    // The stream is made with autoDestroy off: without this the session never hears the client leave.
    stream.on('end', () => stream.destroy());
    ws.on('error', () => undefined);
    o.accept(stream as unknown as Socket, req);
  });
  return server;
}
