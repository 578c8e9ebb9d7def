// Commented byte fixtures for every MQTT 3.1.1 packet type (spec chapter 3), shared by the
// parse / generate / mirror tests and the split-chunk tests.
import type { Packet } from '../../src/mqtt/codec';
import { ascii, cat, hex } from './gen';

export interface Fixture {
  name: string;
  bytes: Uint8Array;
  packet: Packet;
}

const b = (s: string) => ascii(s);

// A JWT-sized password: RS256 tokens are ~600 bytes, which pushes CONNECT past 127 bytes of
// remaining length, into the 2-byte form that some tiny clients get wrong.
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.' + 'x'.repeat(600 - 37 - 1) + '.';
// A payload over 16,383 bytes: remaining length needs 3 bytes.
const BIG = new Uint8Array(16500).map((_, i) => (i * 7) & 255);

export const FIXTURES: Fixture[] = [
  {
    name: 'CONNECT minimal',
    bytes: hex(`
      10                 // type 1 CONNECT, flags 0000
      10                 // remaining length 16
      00 04 4d 51 54 54  // protocol name: length 4, "MQTT"
      04                 // protocol level 4 (3.1.1)
      02                 // connect flags: clean session
      00 3c              // keepalive 60 s
      00 04 64 65 76 31  // client id: length 4, "dev1"
    `),
    packet: { cmd: 'connect', clientId: 'dev1', keepalive: 60, clean: true },
  },
  {
    name: 'CONNECT with will, username, password',
    bytes: hex(`
      10                 // CONNECT
      1e                 // remaining length 30
      00 04 4d 51 54 54  // "MQTT"
      04                 // level 4
      ec                 // flags 1110 1100: username, password, will retain, will QoS 01, will; no clean
      00 00              // keepalive 0 (off)
      00 01 63           // client id "c"
      00 03 77 2f 74     // will topic "w/t"
      00 03 62 79 65     // will payload "bye"
      00 01 75           // username "u"
      00 02 01 02        // password: 2 bytes of binary data
    `),
    packet: {
      cmd: 'connect',
      clientId: 'c',
      keepalive: 0,
      clean: false,
      will: { topic: 'w/t', payload: b('bye'), qos: 1, retain: true },
      username: 'u',
      password: new Uint8Array([1, 2]),
    },
  },
  {
    name: 'CONNECT with a ~600-byte JWT password (2-byte remaining length)',
    bytes: cat(
      hex(`
        10                 // CONNECT
        fe 04              // remaining length 638 = 0x7e + 0x04 * 128 (low 7 bits first, 0x80 = more)
        00 04 4d 51 54 54  // "MQTT"
        04                 // level 4
        c2                 // flags: username, password, clean
        00 3c              // keepalive 60
        00 10              // client id: length 16 ...
      `),
      b('a1b2c3d4e5f60718'), // ... the device id
      hex('00 06'), // username: length 6 ...
      b('device'),
      hex('02 58'), // password: length 600 ...
      b(JWT), // ... the token
    ),
    packet: { cmd: 'connect', clientId: 'a1b2c3d4e5f60718', keepalive: 60, clean: true, username: 'device', password: b(JWT) },
  },
  {
    name: 'CONNACK session present, accepted',
    bytes: hex(`
      20     // type 2 CONNACK
      02     // remaining length 2
      01     // acknowledge flags: session present
      00     // return code 0: accepted
    `),
    packet: { cmd: 'connack', sessionPresent: true, returnCode: 0 },
  },
  {
    name: 'CONNACK not authorized',
    bytes: hex(`
      20 02  // CONNACK, length 2
      00     // no session
      05     // return code 5: not authorized (expired or wrong JWT)
    `),
    packet: { cmd: 'connack', sessionPresent: false, returnCode: 5 },
  },
  {
    name: 'PUBLISH QoS 0',
    bytes: hex(`
      30                 // type 3 PUBLISH, flags 0000: no dup, QoS 0, no retain
      0a                 // remaining length 10
      00 03 61 2f 62     // topic "a/b" (no packet id at QoS 0)
      68 65 6c 6c 6f     // payload "hello": the rest of the packet
    `),
    packet: { cmd: 'publish', topic: 'a/b', payload: b('hello'), qos: 0, retain: false, dup: false },
  },
  {
    name: 'PUBLISH QoS 1, dup, retain',
    bytes: hex(`
      3b        // PUBLISH, flags 1011: dup, QoS 01, retain
      07        // remaining length 7
      00 01 74  // topic "t"
      00 07     // packet id 7
      01 ff     // payload
    `),
    packet: { cmd: 'publish', topic: 't', payload: new Uint8Array([1, 255]), qos: 1, retain: true, dup: true, messageId: 7 },
  },
  {
    name: 'PUBLISH QoS 2, UTF-8 topic, empty payload',
    bytes: hex(`
      34                          // PUBLISH, flags 0100: QoS 2
      0a                          // remaining length 10
      00 06 c3 a4 2f e2 82 ac     // topic "ä/€": 6 bytes of UTF-8 (2 + 1 + 3)
      12 34                       // packet id 0x1234
                                  // empty payload
    `),
    packet: { cmd: 'publish', topic: 'ä/€', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, messageId: 0x1234 },
  },
  {
    name: 'PUBLISH 16,500-byte payload (3-byte remaining length)',
    bytes: cat(
      hex(`
        30           // PUBLISH QoS 0
        94 81 01     // remaining length 16532 = 0x14 + 0x01 * 128 + 0x01 * 16384
        00 1e        // topic: length 30 ...
      `),
      b('/up/device/id/a1b2c3d4e5f60718'),
      BIG, // payload
    ),
    packet: { cmd: 'publish', topic: '/up/device/id/a1b2c3d4e5f60718', payload: BIG, qos: 0, retain: false, dup: false },
  },
  {
    name: 'PUBACK',
    bytes: hex(`
      40     // type 4 PUBACK
      02     // remaining length 2
      00 01  // packet id 1
    `),
    packet: { cmd: 'puback', messageId: 1 },
  },
  {
    name: 'PUBREC',
    bytes: hex(`
      50 02  // type 5 PUBREC, length 2
      ff ff  // packet id 65535 (the largest)
    `),
    packet: { cmd: 'pubrec', messageId: 65535 },
  },
  {
    name: 'PUBREL',
    bytes: hex(`
      62 02  // type 6 PUBREL: flags must be 0010
      00 02  // packet id 2
    `),
    packet: { cmd: 'pubrel', messageId: 2 },
  },
  {
    name: 'PUBCOMP',
    bytes: hex(`
      70 02  // type 7 PUBCOMP, length 2
      00 03  // packet id 3
    `),
    packet: { cmd: 'pubcomp', messageId: 3 },
  },
  {
    name: 'SUBSCRIBE two filters',
    bytes: hex(`
      82              // type 8 SUBSCRIBE, flags must be 0010
      0c              // remaining length 12
      00 0a           // packet id 10
      00 03 61 2f 23  // filter "a/#"
      01              // requested QoS 1
      00 01 2b        // filter "+"
      00              // requested QoS 0
    `),
    packet: { cmd: 'subscribe', messageId: 10, subscriptions: [{ topic: 'a/#', qos: 1 }, { topic: '+', qos: 0 }] },
  },
  {
    name: 'SUBACK',
    bytes: hex(`
      90     // type 9 SUBACK
      04     // remaining length 4
      00 0a  // packet id 10
      01     // granted QoS 1
      80     // 0x80: failure
    `),
    packet: { cmd: 'suback', messageId: 10, granted: [1, 128] },
  },
  {
    name: 'UNSUBSCRIBE',
    bytes: hex(`
      a2              // type 10 UNSUBSCRIBE, flags must be 0010
      0a              // remaining length 10
      00 0b           // packet id 11
      00 03 61 2f 23  // filter "a/#"
      00 01 62        // filter "b"
    `),
    packet: { cmd: 'unsubscribe', messageId: 11, unsubscriptions: ['a/#', 'b'] },
  },
  {
    name: 'UNSUBACK',
    bytes: hex(`
      b0 02  // type 11 UNSUBACK, length 2
      00 0b  // packet id 11
    `),
    packet: { cmd: 'unsuback', messageId: 11 },
  },
  { name: 'PINGREQ', bytes: hex('c0 00 // type 12, remaining length 0'), packet: { cmd: 'pingreq' } },
  { name: 'PINGRESP', bytes: hex('d0 00 // type 13, remaining length 0'), packet: { cmd: 'pingresp' } },
  { name: 'DISCONNECT', bytes: hex('e0 00 // type 14, remaining length 0'), packet: { cmd: 'disconnect' } },
];

/** Inputs the parser must refuse with MQTT_MALFORMED (each a complete byte sequence). */
export const MALFORMED: [string, string][] = [
  ['packet type 0', '00 00'],
  ['packet type 15', 'f0 00'],
  ['PUBLISH QoS 3', '36 05 00 01 74 00 01 // flags 0110'],
  ['PUBACK with flags 0001', '41 02 00 01'],
  ['PUBREL with flags 0000', '60 02 00 01'],
  ['SUBSCRIBE with flags 0000', '80 06 00 01 00 01 61 00'],
  ['UNSUBSCRIBE with flags 0011', 'a3 05 00 01 00 01 61'],
  ['CONNACK flags 0001 in header', '21 02 00 00'],
  ['CONNACK remaining length 3', '20 03 00 00 00'],
  ['CONNACK remaining length 1', '20 01 00'],
  ['CONNACK reserved acknowledge flag', '20 02 02 00'],
  ['PUBACK remaining length 3', '40 03 00 01 00'],
  ['PUBACK packet id 0', '40 02 00 00'],
  ['UNSUBACK packet id 0', 'b0 02 00 00'],
  ['PINGREQ remaining length 1', 'c0 01 00'],
  ['DISCONNECT remaining length 2', 'e0 02 00 00'],
  ['remaining length of 5 bytes', '30 80 80 80 80 01'],
  ['PUBLISH QoS 1 packet id 0', '32 07 00 01 74 00 00 68 69'],
  ['PUBLISH dup at QoS 0', '38 03 00 01 74'],
  ['PUBLISH topic with +', '30 05 00 01 2b 68 69'],
  ['PUBLISH topic with #', '30 03 00 01 23'],
  ['PUBLISH empty topic', '30 02 00 00'],
  ['PUBLISH topic truncated', '30 03 00 05 61'],
  ['PUBLISH remaining length 1', '30 01 00'],
  ['PUBLISH QoS 1 without room for the packet id', '32 04 00 01 74 00'],
  ['PUBLISH topic bad UTF-8 (lone continuation)', '30 03 00 01 80'],
  ['PUBLISH topic bad UTF-8 (overlong NUL)', '30 04 00 02 c0 80'],
  ['PUBLISH topic bad UTF-8 (surrogate)', '30 05 00 03 ed a0 80'],
  ['PUBLISH topic with U+0000', '30 03 00 01 00'],
  ['SUBSCRIBE filter a#', '82 06 00 01 00 02 61 23 00'],
  ['SUBSCRIBE empty filter', '82 05 00 01 00 00 00'],
  ['UNSUBSCRIBE filter #/a', 'a2 07 00 01 00 03 23 2f 61'],
  ['SUBSCRIBE without filters', '82 02 00 01'],
  ['SUBSCRIBE requested QoS 3', '82 06 00 01 00 01 61 03'],
  ['SUBSCRIBE reserved bits in QoS byte', '82 06 00 01 00 01 61 41'],
  ['SUBSCRIBE filter without QoS byte', '82 05 00 01 00 01 61'],
  ['SUBACK without return codes', '90 02 00 01'],
  ['SUBACK return code 3', '90 03 00 01 03'],
  ['SUBACK return code 0x81', '90 03 00 01 81'],
  ['UNSUBSCRIBE without filters', 'a2 02 00 01'],
  ['CONNECT protocol name MQIsdp (3.1)', '10 10 00 06 4d 51 49 73 64 70 03 02 00 3c 00 02 64 31'],
  ['CONNECT protocol level 5', '10 0e 00 04 4d 51 54 54 05 02 00 3c 00 02 64 31'],
  ['CONNECT reserved flag bit 0', '10 0e 00 04 4d 51 54 54 04 03 00 3c 00 02 64 31'],
  ['CONNECT will QoS without will flag', '10 0e 00 04 4d 51 54 54 04 0a 00 3c 00 02 64 31'],
  ['CONNECT will QoS 3', '10 14 00 04 4d 51 54 54 04 1e 00 3c 00 02 64 31 00 01 74 00 01 78'],
  ['CONNECT password without username', '10 12 00 04 4d 51 54 54 04 42 00 3c 00 02 64 31 00 02 70 77'],
  ['CONNECT username flag but no username', '10 0e 00 04 4d 51 54 54 04 82 00 3c 00 02 64 31'],
  ['CONNECT trailing byte', '10 0f 00 04 4d 51 54 54 04 02 00 3c 00 02 64 31 ff'],
];
