// The akenza-ws Storage module (targets/espruino/modules.json): MQTT over WebSocket (ws://, wss://),
// the SDK's RFC 6455 client over Espruino's net/tls sockets, loaded by the core's platform with the
// first WebSocket connection, so a device on mqtt:// or mqtts:// pays nothing for it.
import { wsConnect } from '../../src/mqtt/websocket';

exports.wsConnect = wsConnect;
