// The README's examples as a TypeScript user writes them: each must compile against the published declarations.
import { createDevice, signJwt, generateKeyPair, AkenzaError, type DeviceOptions, type Downlink, type DeviceEvents } from 'akenza-device/node';
import { signJwt as portableSignJwt, parsePublicKey, fingerprint, type ErrorCode } from 'akenza-device';
import { startMockCloud } from 'akenza-device/mock';
import { readFileSync } from 'node:fs';

// A device in Node
const device = createDevice({
  deviceId: 'a1b2c3d4e5f60718',
  credentials: { privateKey: readFileSync('device.key.pem', 'utf8'), kid: 'auto' },
  mqtt: { url: 'mqtts://mqtt.akenza.io:8883' },
  onConnected: () => console.log('connected'),
  onDisconnected: (e) => console.log('disconnected:', e.reason, e.message),
  onDownlink: (d) => console.log('downlink', d.subTopic, d.text),
});
device.start();
await device.publish({ temperature: 21.5 }, { topic: 'environment' });

// Events through on()/off(): the payload type follows the name.
const onDown = (d: Downlink) => console.log(d.topic, d.payload.length);
device.on('downlink', onDown);
device.off('downlink', onDown);
device.on('connected', (e) => console.log(e.at, e.tokenExp === null ? 'secret mode' : e.tokenExp.toFixed(0)));
device.on('tokenRefreshed', (e) => console.log(e.previousExp, e.exp));
device.on('authRejected', (e) => console.log(e.transport === 'mqtt' ? e.returnCode : e.status));
device.on('clockState', (c) => console.log('clock trusted:', c.trusted, c.stepped, new Date(c.now)));
device.on('dropped', (e) => console.log(e.topic, e.bytes, e.total, e.reason));
device.on('sent', (e) => console.log('sent over', e.transport, e.topic, e.bytes));
device.on('transportError', (e) => console.log(e.transport, e.status, e.message, e.retryInMs));
device.on('error', (e) => console.log(e instanceof AkenzaError ? e.code : e.message));
const handlers: { [E in keyof DeviceEvents]?: (e: DeviceEvents[E]) => void } = { fallback: (e) => console.log(e.active) };
if (handlers.fallback) device.on('fallback', handlers.fallback);
console.log(device.stats().queued);
await device.stop();

// Fallback over HTTP, CoAP and UDP
const key = readFileSync('device.key.pem', 'utf8');
const options: DeviceOptions = {
  deviceId: 'a1b2c3d4e5f60718',
  credentials: { privateKey: key, uplinkSecret: 's3cr3t' },
  mqtt: { url: 'mqtts://mqtt.akenza.io:8883' },
  fallback: [
    { type: 'http', url: 'https://data-gateway.akenza.io' },
    { type: 'coap', url: 'coap://coap.akenza.io:5683' },
    { type: 'udp', url: 'udp://coap.akenza.io:5684' },
  ],
  fallbackAfterMs: 60000,
  onFallback: (e) => console.log('fallback', e.active, e.transport),
  onSent: (e) => console.log('sent over', e.transport),
};
createDevice(options);

// Minting a token, on both entries
const token: string = await signJwt({ privateKey: key, deviceId: 'a1b2c3d4e5f60718', kid: 'auto', lifetimeS: 3600 });
portableSignJwt({ privateKey: key, deviceId: 'd' }, (err, t) => console.log(err ? err.message : t));
const pair = generateKeyPair();
console.log(token, pair.privateKeyPem, fingerprint(parsePublicKey(pair.publicKeyPem)) === pair.fingerprint);

// Errors
try {
  createDevice({ deviceId: 'bad id', credentials: { privateKey: key } });
} catch (e) {
  if (e instanceof AkenzaError) {
    const code: ErrorCode = e.code;
    console.log(code, e.message);
  }
}

// The mock cloud in tests
const cloud = await startMockCloud({ registryFile: 'registry.json' });
console.log(cloud.mqttPort, cloud.mqttsPort, cloud.wsPort, cloud.wssPort, cloud.caPem, cloud.httpPort, cloud.coapPort, cloud.udpPort);
const uplink = await cloud.waitForUplink((u) => u.deviceId === 'a1b2c3d4e5f60718', 5000);
console.log(uplink.payload);
cloud.sendDownlink('a1b2c3d4e5f60718', { led: 'on' }, { topic: 'commands' });
cloud.faults.refuseNextConnects(2, 5);
cloud.setClockOffset(3600_000);
await cloud.close();
