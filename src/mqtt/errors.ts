// MQTT protocol errors: a stable `code` per kind of refusal, as src/errors.ts does for the rest.
//   MQTT_MALFORMED  bytes from the peer break MQTT 3.1.1 (the connection must be closed, spec 4.8)
//   MQTT_TOO_LARGE  a packet over the parser's maxPacketSize, or over the 268,435,455-byte
//                   remaining-length limit when encoding
//   MQTT_INVALID    encode() was given a packet object MQTT 3.1.1 cannot express

import { errorClass } from '../error-class';

export type MqttErrorCode = 'MQTT_MALFORMED' | 'MQTT_TOO_LARGE' | 'MQTT_INVALID';

export const MqttError = errorClass<MqttErrorCode>('MqttError');
export type MqttError = InstanceType<typeof MqttError>;
