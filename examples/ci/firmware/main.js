// The firmware logic under test: report every temperature reading, and raise an alarm on its own topic
// when a reading is above the limit. Runs in QuickJS via run-quickjs.mjs, which provides `host`, `config`
// and `exit`; on a board the same logic would get them from the target's entry and real sensors.
import { createDevice } from 'akenza-device';

const ALARM_ABOVE = 25; // degrees C
const READINGS = [21.0, 21.4, 22.1, 27.8, 22.0]; // the sensor stub: one heat spike

const device = createDevice({
  deviceId: config.deviceId,
  credentials: { privateKey: config.privateKeyPem, kid: 'auto' },
  mqtt: { url: config.mqttUrl, ca: config.caPem },
}, host);
device.on('error', (e) => console.log('error: ' + e.message));
device.on('authRejected', (e) => console.log('credentials refused, CONNACK ' + e.returnCode));

async function run() {
  for (let i = 0; i < READINGS.length; i++) {
    const temperature = READINGS[i];
    await device.publish({ temperature, seq: i + 1 }, { topic: 'environment' });
    if (temperature > ALARM_ABOVE) await device.publish({ alarm: 'over-temperature', temperature, limit: ALARM_ABOVE }, { topic: 'alarms' });
  }
  console.log('sent ' + READINGS.length + ' readings');
  await device.stop();
  exit(0);
}

device.on('connected', function first() {
  device.off('connected', first);
  console.log('connected as ' + config.deviceId);
  run().catch((e) => {
    console.log('failed: ' + e.message);
    exit(1);
  });
});
device.start();
