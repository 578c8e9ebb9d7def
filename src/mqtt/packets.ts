// MQTT 3.1.1 (OASIS Standard, 29 October 2014) control packets as plain objects, shared by
// encode() and the parser, shaped like mqtt-packet's (`cmd` names the type).
// Parsed packets carry exactly the fields below (no `length`, `topic: null` etc.), so
// parse(encode(p)) deep-equals p for every valid p (password and will payload as Uint8Array).

export type QoS = 0 | 1 | 2;

export interface WillMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

/** Always protocol name "MQTT", level 4: the parser refuses any other as malformed. */
export interface ConnectPacket {
  cmd: 'connect';
  clientId: string;
  /** Seconds, 0..65535; 0 turns keepalive off. */
  keepalive: number;
  clean: boolean;
  username?: string;
  /** Binary data in MQTT; a string is sent as UTF-8. Parsed as Uint8Array. Needs a username. */
  password?: string | Uint8Array;
  will?: WillMessage;
}

export interface ConnackPacket {
  cmd: 'connack';
  sessionPresent: boolean;
  /** 0 accepted, 1 bad protocol level, 2 client id rejected, 3 server unavailable,
   *  4 bad username or password, 5 not authorized (6..255 reserved, passed through). */
  returnCode: number;
}

export interface PublishPacket {
  cmd: 'publish';
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** Must be false for QoS 0. */
  dup: boolean;
  /** 1..65535, present exactly when qos > 0. */
  messageId?: number;
}

/** PUBACK (QoS 1); PUBREC/PUBREL/PUBCOMP (QoS 2) have the same shape. */
export interface AckPacket {
  cmd: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp' | 'unsuback';
  messageId: number;
}
export type PubackPacket = AckPacket & { cmd: 'puback' };
export type UnsubackPacket = AckPacket & { cmd: 'unsuback' };

export interface Subscription {
  topic: string;
  qos: QoS;
}

export interface SubscribePacket {
  cmd: 'subscribe';
  messageId: number;
  /** At least one. */
  subscriptions: Subscription[];
}

export interface SubackPacket {
  cmd: 'suback';
  messageId: number;
  /** Per subscription: granted QoS 0..2, or 0x80 (128) for failure. */
  granted: number[];
}

export interface UnsubscribePacket {
  cmd: 'unsubscribe';
  messageId: number;
  /** Topic filters, at least one. */
  unsubscriptions: string[];
}

export interface EmptyPacket {
  cmd: 'pingreq' | 'pingresp' | 'disconnect';
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | AckPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | EmptyPacket;

/** Packet type names by the 4-bit type of the fixed header (0 and 15 are reserved). */
export const PACKET_TYPES: string[] =
  ',connect,connack,publish,puback,pubrec,pubrel,pubcomp,subscribe,suback,unsubscribe,unsuback,pingreq,pingresp,disconnect'.split(
    ',',
  );

/** Fixed-header flags by packet type (2.2.2): 'x' = reserved type, or PUBLISH (DUP|QoS|RETAIN). */
export const HEADER_FLAGS = 'x00x00202020000x';

/** Largest value the 4-byte Remaining Length field can hold (spec 2.2.3). */
export const MAX_REMAINING_LENGTH = 268435455;
