// MQTT over WebSocket (ws:// and wss://, path /mqtt, as the platform's wss://mqtt.akenza.io:443/mqtt):
// an HTTP(S) server whose upgrades at /mqtt become binary streams handed to the same broker path as
// TCP and TLS connections, so auth, ACLs, limits and faults are the same. Other requests get 404/426,
// a broken handshake 400; each refusal and failed TLS handshake is logged.
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ws as wsPackage } from './peer-modules';

/** The WebSocket path of the MQTT endpoint. */
export const WS_PATH = '/mqtt';

/** MQTT subprotocol names a client may offer (MQTT.js sends 'mqtt'; some older clients 'mqttv3.1'). */
const SUBPROTOCOLS = ['mqtt', 'mqttv3.1'];

export interface WsServerOptions {
  /** 'ws' or 'wss', for log lines. */
  name: string;
  log(line: string): void;
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

/** Answers an upgrade request on its raw socket and closes it. */
function abortUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) {
    socket.end('HTTP/1.1 ' + status + ' ' + STATUS_CODES[status] + '\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ' + Buffer.byteLength(text) + '\r\n\r\n' + text);
  }
  socket.destroy();
}

/** Logs a failed TLS handshake (the board's CA, name or cipher trouble shows here): `NAME: TLS handshake with ADDR failed: reason`. */
export function tlsFailureLogger(name: string, log: (line: string) => void): (e: Error, sock: { remoteAddress?: string }) => void {
  return (e, sock) => log(name + ': TLS handshake with ' + (sock.remoteAddress || '?') + ' failed: ' + (e.message || String(e)).slice(0, 200));
}

/** An HTTP or HTTPS server (not listening) serving MQTT over WebSocket at /mqtt. */
export function makeWsServer(o: WsServerOptions): Server {
  const refused = (req: IncomingMessage, status: number, why: string) =>
    o.log(o.name + ': refused ' + req.method + ' ' + (req.url || '/').split('?')[0].slice(0, 100) + ' from ' + (req.socket.remoteAddress || '?') + ' (' + status + '): ' + why);
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url || '/').split('?')[0];
    const why = path === WS_PATH ? 'not a WebSocket upgrade' : 'not found: MQTT over WebSocket is served at ' + WS_PATH;
    refused(req, path === WS_PATH ? 426 : 404, why);
    if (path === WS_PATH) plain(res, 426, 'MQTT over WebSocket: connect with a WebSocket client (subprotocol mqtt)\n', { upgrade: 'websocket', connection: 'close' });
    else plain(res, 404, why + '\n');
  };
  const server: Server = o.tls
    ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key, minVersion: 'TLSv1.2' }, onRequest)
    : createHttpServer(onRequest);
  if (o.tls) server.on('tlsClientError', tlsFailureLogger(o.name, o.log));
  server.on('clientError', (_e, sock: Duplex) => sock.destroy());
  const { createWebSocketStream, WebSocketServer } = wsPackage();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: o.maxPayload,
    perMessageDeflate: false,
    clientTracking: false,
    handleProtocols: (offered) => {
      for (const p of SUBPROTOCOLS) if (offered.has(p)) return p;
      return false;
    },
  });
  wss.on('error', () => undefined);
  // With a listener here, ws leaves the answer to a broken handshake (bad key, version, method) to us.
  wss.on('wsClientError', (e: Error, socket: Duplex, req: IncomingMessage) => {
    refused(req, 400, e.message);
    abortUpgrade(socket, 400, e.message + '\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if ((req.url || '/').split('?')[0] !== WS_PATH) {
      refused(req, 404, 'not found: MQTT over WebSocket is served at ' + WS_PATH);
      return abortUpgrade(socket, 404, 'not found: MQTT over WebSocket is served at ' + WS_PATH + '\n');
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
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
