// Firmware for an ESP32 on the Moddable SDK: the network setup (manifest_net) has joined WiFi and set the
// clock by SNTP before this runs. On first boot the device makes its ES256 key (the 32-byte secret goes
// to Preference, the public key is traced for upload); then it connects over MQTT/TLS with JWTs it signs
// and publishes a reading every config.intervalS seconds. Randomness comes from the hardware RNG (hwrandom).
import config from "mc/config";
import Preference from "preference";
import Timer from "timer";
import { createDevice, generateKeyPair, parsePrivateKey } from "akenza-device";
import CA_PEM from "ca";
import randomBytes from "hwrandom";

const DOMAIN = "akenza";

// The key never leaves the board: made here once, and only its 32-byte scalar is stored.
function deviceKey() {
  const stored = Preference.get(DOMAIN, "key");
  if (stored) return new Uint8Array(stored);
  trace("first boot: making an ES256 key pair\n");
  const kp = generateKeyPair(randomBytes);
  const d = parsePrivateKey(kp.privateKeyPem).d;
  Preference.set(DOMAIN, "key", d.buffer.slice(d.byteOffset, d.byteOffset + d.length));
  trace(`Register this public key for device ${config.deviceId} (kid ${kp.fingerprint}):\n${kp.publicKeyPem}`);
  return d;
}

// A reading; replace with your sensor driver (ECMA-419 sensor classes, for example).
let readings = 0;
function readSensor() {
  readings++;
  return { temperature: Math.round((20 + Math.random() * 5) * 10) / 10, n: readings };
}

const device = createDevice({
  deviceId: config.deviceId,
  credentials: { privateKey: deviceKey(), kid: "auto" },
  mqtt: { url: config.mqttUrl, ca: CA_PEM || undefined },
  randomBytes,
  onConnected: () => trace("mqtt: connected\n"),
  onDisconnected: (e) => trace(`mqtt: disconnected (${e.planned ? "token refresh" : e.message})\n`),
  onAuthRejected: (e) => trace(`mqtt: key refused (${e.returnCode}): is the public key registered? retrying\n`),
  onDownlink: (d) => trace(`downlink ${d.subTopic}: ${d.text}\n`),
  onError: (e) => trace(`error: ${e.message}\n`),
});

function publish() {
  const r = readSensor();
  device.publish(r, { topic: "environment" }).then(
    () => trace(`sent ${JSON.stringify(r)}\n`),
    (e) => trace(`not sent: ${e.message}\n`),
  );
  Timer.set(publish, config.intervalS * 1000);
}

device.on("connected", function first() {
  device.off("connected", first);
  publish();
});
device.start();
