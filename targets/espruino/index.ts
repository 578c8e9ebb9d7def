// akenza-device for Espruino (ESP32 and others, no BigInt): net/tls sockets, native crypto.SHA256,
// the board's random sources, and the P-256 comb table read from Storage (flash) without copying it
// into JS variables (all in platform.ts). Built as one CommonJS module: require('akenza-device')
// from Storage. ES256 only (RS256 needs BigInt). Checked in the real interpreter by
// test/real-engines/espruino.test.ts.
import { createDevice as createCoreDevice, type DeviceOptions } from '../../src/device/device';
import { AkenzaError } from '../../src/errors';
import { MqttError } from '../../src/mqtt/errors';
import { fingerprint, parsePrivateKey, parsePublicKey } from '../../src/keys';
import { makeSignJwt } from '../../src/sign/sign-jwt';
import { generateKeyPair, platform, signers } from './platform';

exports.createDevice = (options: DeviceOptions) => createCoreDevice(platform, options);
exports.signJwt = makeSignJwt(signers);
exports.parsePrivateKey = parsePrivateKey;
exports.parsePublicKey = parsePublicKey;
exports.fingerprint = fingerprint;
exports.AkenzaError = AkenzaError;
exports.MqttError = MqttError; // (for akenza-ws, whose broken frames the session must recognise)
exports.generateKeyPair = generateKeyPair;
