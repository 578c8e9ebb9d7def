// A simulated device in Node: keeps its ES256 key in a file (made on first run), reads a sensor stub,
// publishes readings over MQTT with a JWT it signs, and acts on downlinks. Without AKENZA_MQTT_URL it
// starts a local mock cloud with its key registered; with it, it talks to that deployment.
//   node simulator.mjs [--count N] [--interval S]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createDevice } from 'akenza-device/node';
import { loadOrCreateKey } from './key-store.mjs';
import { createSensor } from './sensor.mjs';

const env = process.env;
const { values } = parseArgs({ options: { count: { type: 'string' }, interval: { type: 'string' } } });
const count = values.count === undefined ? Infinity : Number(values.count);
let intervalS = Number(values.interval || env.AKENZA_INTERVAL_S || 5);
if (!(count > 0) || !(intervalS > 0)) {
  console.error('usage: node simulator.mjs [--count N] [--interval S]   (N and S positive numbers)');
  process.exit(2);
}
const deviceId = env.AKENZA_DEVICE_ID || 'sim-0001';
const log = (what) => console.log(new Date().toISOString().slice(11, 23) + '  ' + what);

// 1. Identity: the key file, made once and reused after.
const key = loadOrCreateKey(env.AKENZA_KEY || 'device');
if (key.created) {
  log(`made a new ES256 key: ${key.keyFile} (keep it private), ${key.pubFile} (register it for ${deviceId})`);
  console.log(key.publicKeyPem.trim());
} else log(`using the key in ${key.keyFile}`);
log(`kid (SHA-256 fingerprint of the public key): ${key.fingerprint}`);

// 2. Where to connect: a deployment from the environment, or a local mock cloud.
let cloud = null;
let mqtt;
if (env.AKENZA_MQTT_URL) {
  mqtt = { url: env.AKENZA_MQTT_URL };
  if (env.AKENZA_CA_FILE) mqtt.ca = readFileSync(env.AKENZA_CA_FILE, 'utf8');
} else {
  const { startMockCloud } = await import('akenza-device/mock');
  cloud = await startMockCloud({ registry: { devices: [{ deviceId, credentials: [{ publicKey: key.publicKeyPem }] }], connectors: [] } });
  mqtt = { url: `mqtts://localhost:${cloud.mqttsPort}`, ca: cloud.caPem };
  log(`no AKENZA_MQTT_URL: started a local mock cloud (${mqtt.url}) with ${deviceId} registered`);
}

// 3. The device.
const sensor = createSensor();
let led = 'off';
let acked = 0;
let timer = null;
const device = createDevice({
  deviceId,
  credentials: { privateKey: key.privateKeyPem, kid: 'auto' },
  audienceBase: env.AKENZA_AUDIENCE_BASE || undefined,
  mqtt,
  onConnected: (e) => log(`connected to ${mqtt.url}; token valid until ${new Date(e.tokenExp * 1000).toISOString()}`),
  onDisconnected: (e) => log(`disconnected: ${e.planned ? 'token refresh' : e.message || e.reason}`),
  onAuthRejected: (e) => log(`credentials refused (CONNACK ${e.returnCode}): is ${key.pubFile} registered for ${deviceId}?`),
  onError: (e) => log('error: ' + e.message),
  onDownlink: (d) => {
    log(`downlink on "${d.subTopic}": ${d.text}`);
    let cmd;
    try {
      cmd = JSON.parse(d.text);
    } catch {
      return log('downlink ignored: not JSON');
    }
    if (typeof cmd.intervalS === 'number' && cmd.intervalS > 0) {
      intervalS = cmd.intervalS;
      schedule();
      log(`reporting interval is now ${intervalS} s`);
    }
    if (cmd.led !== undefined) log(`LED ${led} -> ${(led = String(cmd.led))}`);
  },
});

function sendReading() {
  const reading = { ...sensor.read(), led };
  device.publish(reading, { topic: 'environment' }).then(
    () => {
      acked++;
      log(`uplink ${acked} acknowledged: ${JSON.stringify(reading)}`);
      if (cloud && acked === 2) cloud.sendDownlink(deviceId, { led: 'blink' }, { topic: 'commands' }); // shows the handler locally
      if (acked >= count) shutdown(`sent ${count}`);
    },
    (e) => stopping || log('uplink not sent: ' + e.message),
  );
}
function schedule() {
  clearInterval(timer);
  timer = setInterval(sendReading, intervalS * 1000);
}

let stopping = false;
async function shutdown(why) {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await device.stop();
  if (cloud) {
    log(`the mock recorded ${cloud.uplinks.length} uplinks from ${deviceId}`);
    await cloud.close();
  }
  log(`${why}: stopped`);
  process.exit(0);
}
process.on('SIGINT', () => shutdown('Ctrl-C'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

device.start();
device.on('connected', function first() {
  device.off('connected', first);
  sendReading(); // the first reading at once, then every intervalS
  schedule();
});
