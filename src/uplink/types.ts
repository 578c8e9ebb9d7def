// The uplink types: one attempt's request and outcome (common.ts says what each outcome makes the
// device do), a transport, the options of each, and the fallback entry naming one. A leaf: it
// imports nothing, so platform.ts (UplinkFactory) names these without importing the transports.

export type UplinkOutcome = 'ok' | 'auth' | 'rejected' | 'retry';

export interface UplinkResult {
  outcome: UplinkOutcome;
  /** HTTP status (e.g. 401) or CoAP code ('4.01') when the server answered. */
  status?: number | string;
  /** For logs and events: never contains the secret. */
  message: string;
}

export interface UplinkRequest {
  deviceId: string;
  /** Data topic ('' or absent: the platform's default). */
  topic?: string;
  /** ISO-8601 time of the measurement. */
  timestamp?: string;
  /** A JSON object or array, UTF-8. */
  payload: Uint8Array;
}

export interface UplinkTransport {
  readonly type: 'http' | 'coap' | 'udp';
  /** `cb` once, never from inside send(). */
  send(u: UplinkRequest, cb: (r: UplinkResult) => void): void;
  /** Idempotent; pending sends complete with 'retry'. */
  close(): void;
  /**
   * Optional: completes now, as delivered (unconfirmed), any pending send the server has
   * acknowledged without answering yet (CoAP after an empty ACK). Called when MQTT is back, so the
   * device need not wait for a response that can no longer change where the message goes.
   */
  settle?(): void;
}

/** @inline */
export interface HttpUplinkOptions {
  /** https://data-gateway.akenza.io (the path defaults to /v3/capture) or a full capture URL. */
  url?: string;
  secret: string;
  /** Send the secret as the `secret` query parameter instead of a header. Default false. */
  secretInQuery?: boolean;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** PEM CA for https. */
  ca?: string;
}

export interface CoapClientOptions {
  /** ACK_TIMEOUT, ms. Default 2000. */
  ackTimeoutMs?: number;
  /** ACK_RANDOM_FACTOR. Default 1.5. */
  ackRandomFactor?: number;
  /** MAX_RETRANSMIT. Default 4. */
  maxRetransmit?: number;
  /** How long to wait for a separate response after an empty ACK. Default 93 s (MAX_TRANSMIT_WAIT). */
  responseTimeoutMs?: number;
  /** Largest request datagram. Default 65507 (IPv4's UDP limit); larger ones fail with code EMSGSIZE. */
  maxDatagramBytes?: number;
}

/** @inline */
export interface CoapUplinkOptions extends CoapClientOptions {
  /** coap://coap.akenza.io (port 5683, path /v3/capture by default). */
  url?: string;
  secret: string;
}

/** One fallback transport; `secret` defaults to the device's credentials.uplinkSecret. @inline */
export type FallbackEntry =
  | ({ type: 'http' } & Partial<HttpUplinkOptions>)
  | ({ type: 'coap' } & Partial<CoapUplinkOptions>)
  | { type: 'udp'; url: string; secret?: string; maxDatagramBytes?: number };
