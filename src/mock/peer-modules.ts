// The mock's peer packages, typed, for its own code (not part of the mock entry's declarations).
import type * as MqttPacket from 'mqtt-packet';
import type * as Ws from 'ws';
import { loadPeer } from './peers';

/** mqtt-packet (CommonJS: its module.exports). */
export const mqttPacket = (): typeof MqttPacket => loadPeer('mqtt-packet') as typeof MqttPacket;
/** ws (CommonJS: the WebSocket class carrying WebSocketServer and createWebSocketStream). */
export const ws = (): typeof Ws => loadPeer('ws') as typeof Ws;
