// The contract a target implements: sockets, timers, clocks, randomness, optional storage.
// ECMA-419-shaped: one options object per call, on* callbacks in it, callbacks never fired from
// inside the call that caused them, close() idempotent, durations in milliseconds.
// A leaf of the module graph: it imports only types, and only from leaves (files that import
// nothing): the key types, the Signer contract, the uplink types. sign/sign-jwt.ts and uplink/
// import SignerBinding and UplinkFactory from here.
import type { PrivateKey } from './keys/types';
import type { Signer } from './sign/signer';
import type { FallbackEntry, UplinkTransport } from './uplink/types';

export interface TlsOptions {
  /** PEM CA certificate(s) to verify the server against; the target's default store when absent. */
  ca?: string;
  /** SNI and certificate name check; defaults to the host. */
  servername?: string;
}

/** A connection's settings and callbacks. The callbacks are methods: call them on this object
 *  (`o.onData(b)`), never detached or copied out (the MQTT session is a class using `this`). */
export interface SocketOptions {
  host: string;
  port: number;
  /** Present for TLS (mqtts). */
  tls?: TlsOptions;
  onConnect(): void;
  onData(bytes: Uint8Array): void;
  /** Followed by onClose. */
  onError(err: Error): void;
  /** Called once, whoever closed. */
  onClose(): void;
  /** Optional: every byte written has left the process (the target's buffer is empty again). May
   *  come more than once, or when nothing was waiting. */
  onDrain?(): void;
  /** Optional: above this many unsent bytes a target that can stops reading (onData) until they
   *  drain, so acknowledgements are not asked for faster than they can be written. */
  maxUnsent?: number;
}

export interface Socket {
  /** Accepts all of `bytes`; what cannot go out yet waits in the target's buffer (see unsent). */
  write(bytes: Uint8Array): void;
  /** Optional: bytes written that have not yet left the process (handed to the network stack).
   *  Without it every write counts as gone at once (no backpressure). */
  unsent?(): number;
  /** Idempotent; onClose still follows once. */
  close(): void;
}

export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export interface UdpOptions {
  /** One datagram received on this socket. */
  onMessage(bytes: Uint8Array, from: { address: string; port: number }): void;
  onError?(err: Error): void;
}

export interface UdpSocket {
  /**
   * Sends one datagram (host names are resolved by the target). Errors go to onError. `sentTo`, when
   * given, gets the address the datagram went to (`host` resolved, as onMessage's `from.address`
   * would name it), before any reply can arrive: a client matches replies against it.
   */
  send(bytes: Uint8Array, host: string, port: number, sentTo?: (address: string) => void): void;
  /** Idempotent. */
  close(): void;
}

export interface HttpRequest {
  method: string;
  /** Absolute http:// or https:// URL. */
  url: string;
  /** Lower-case names. The target sets Content-Length from `body` (Espruino needs it explicit). */
  headers: { [name: string]: string };
  body: Uint8Array;
  timeoutMs: number;
  /** PEM CA for https; the target's default store when absent. */
  ca?: string;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: { [name: string]: string };
  body: Uint8Array;
}

/** How a target signs: a Signer per parsed key, and a P-256 key's public point (for `kid: 'auto'`). @inline */
export interface SignerBinding {
  createSigner(key: PrivateKey): Signer;
  /** 65-byte public point of a P-256 scalar, for `kid: 'auto'` when the key file has none. */
  ecPublicKey(d: Uint8Array): Uint8Array;
  /**
   * Optional: whether a signature started now leaves the target's reserve of memory free. When it
   * says no, a token refresh mints after its disconnect instead of before (a longer offline gap,
   * a lower peak: the connection's memory is free while the signer runs). Absent: always yes.
   */
  fitsNow?(): boolean;
}

export type UplinkFactory = (platform: Platform, entry: FallbackEntry, secret: string) => UplinkTransport;

export interface Platform {
  connect(options: SocketOptions): Socket;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Wall clock, ms since the epoch (may be wrong until synced, may step). */
  now(): number;
  /** Milliseconds from an arbitrary origin that never jumps, where the target has one. */
  monotonic?(): number;
  randomBytes(n: number): Uint8Array;
  /** How this target signs tokens. */
  signers: SignerBinding;
  /** Optional: fetch trusted time (SNTP, HTTP Date) when the wall clock is untrusted. */
  syncTime?(cb: (err: Error | null, nowMs?: number) => void): void;
  storage?: KeyValueStore;
  /**
   * Optional: MQTT over WebSocket with the runtime's own client (subprotocol `mqtt`, binary messages,
   * `o.onConnect()` once the upgrade is accepted), for `ws://` and `wss://` URLs: the runtime's own
   * client, or `wsConnect` (src/mqtt/websocket.ts: RFC 6455 over connect()). Without it a WebSocket
   * URL is refused (OPTION_INVALID).
   */
  webSocket?(o: SocketOptions, path: string): Socket;
  /** Optional UDP (CoAP and raw-UDP uplinks); onMessage is never called from inside send(). */
  udp?(options: UdpOptions): UdpSocket;
  /**
   * Optional HTTP client (HTTP uplinks); without it the core speaks HTTP/1.1 over connect().
   * `cb` is called once, never from inside the call; the target enforces `timeoutMs`.
   */
  http?(request: HttpRequest, cb: (err: Error | null, response?: HttpResponse) => void): void;
  /**
   * The secret-based uplink transports this target ships, by fallback type ('http', 'coap', 'udp'):
   * `allUplinks` from src/uplink for all of them. Kept here so a bundle holds only those it names.
   */
  uplinks?: { [type: string]: UplinkFactory };
}

/** A uniform random number in [0, 1) from the platform's RNG (for jitter, not for keys). */
export function random(platform: Platform): number {
  const b = platform.randomBytes(4);
  return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 4294967296;
}
