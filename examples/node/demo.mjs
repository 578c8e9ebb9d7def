// The demo (`npm start`): a mock cloud and a simulated device on this machine. The device makes its
// own key, is registered with its public key, connects over MQTT/TLS with a JWT it signed, sends
// data, gets a downlink, and renews its token; the mock validates everything as the platform does.
import { createDevice, generateKeyPair } from 'akenza-device/node';
import { startMockCloud } from 'akenza-device/mock';

const deviceId = 'a1b2c3d4e5f60718';
const keys = generateKeyPair();
const cloud = await startMockCloud({
  registry: { devices: [{ deviceId, credentials: [{ publicKey: keys.publicKeyPem }] }], connectors: [] },
  log: (line) => console.log('  [cloud] ' + line),
});
console.log(`mock cloud: MQTT/TLS on localhost:${cloud.mqttsPort}, device ${deviceId} registered (kid ${keys.fingerprint.slice(0, 16)}...)`);

const device = createDevice({
  deviceId,
  credentials: { privateKey: keys.privateKeyPem, kid: 'auto' },
  tokenLifetimeS: 5, // short, so the demo shows a token renewal within seconds
  mqtt: { url: `mqtts://localhost:${cloud.mqttsPort}`, ca: cloud.caPem },
  onConnected: (e) => console.log(`device: connected, token valid until ${new Date(e.tokenExp * 1000).toISOString()}`),
  onDisconnected: (e) => console.log(`device: disconnected (${e.planned ? 'token refresh' : e.message})`),
  onTokenRefreshed: () => console.log('device: switching to a fresh token minted ahead of time'),
  onDownlink: (d) => console.log(`device: downlink on "${d.subTopic}": ${d.text}`),
  onError: (e) => console.log('device: error ' + e.message),
});
const connected = new Promise((resolve) => device.on('connected', resolve));
device.start();
await connected;

await device.publish({ temperature: 21.5, humidity: 40 }, { topic: 'environment' });
const uplink = await cloud.waitForUplink((u) => u.deviceId === deviceId, 5000);
console.log(`cloud: uplink from ${uplink.deviceId} on "${uplink.topic}" over ${uplink.transport}: ${JSON.stringify(uplink.payload)}`);

cloud.sendDownlink(deviceId, { led: 'on' }, { topic: 'commands' });
await new Promise((resolve) => device.on('tokenRefreshed', resolve));
await new Promise((resolve) => device.on('connected', resolve));
await device.publish({ temperature: 21.7 }, { topic: 'environment' });
await cloud.waitForUplink((u) => u.payload.temperature === 21.7, 5000);
console.log(`cloud: ${cloud.uplinks.length} uplinks, ${cloud.authLog.filter((e) => e.code === 0).length} accepted connects, ${cloud.authLog.filter((e) => e.code !== 0).length} refused`);

await device.stop();
await cloud.close();
console.log('done');
