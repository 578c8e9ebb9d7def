// MQTT 3.1.1 codec entry: packet types, encode(), createParser(), MqttError.
export type {
  AckPacket,
  ConnackPacket,
  ConnectPacket,
  EmptyPacket,
  Packet,
  PubackPacket,
  PublishPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  WillMessage,
} from './packets';
export { MAX_REMAINING_LENGTH, PACKET_TYPES } from './packets';
export { MqttError, type MqttErrorCode } from './errors';
export { encode } from './encode';
export { createParser, type Parser, type ParserOptions } from './parser';
