// Mistakes the declarations must refuse: each `@ts-expect-error` line below has to be a compile error,
// or tsc reports the directive as unused (TS2578) and the consumer project fails to compile.
import { createDevice, signJwt, type Downlink, type DeviceEvents } from 'akenza-device/node';

const device = createDevice({ deviceId: 'd', credentials: { privateKey: 'PEM' } });

// Misspelled event names, in on() and off().
// @ts-expect-error 'conected' is not an event
device.on('conected', () => {});
// @ts-expect-error 'downlinks' is not an event
device.off('downlinks', () => {});
// @ts-expect-error event names are case-sensitive
device.on('Connected', () => {});

// Misspelled payload fields.
device.on('downlink', (d) => {
  // @ts-expect-error Downlink has subTopic, not subTopc
  console.log(d.subTopc);
});
device.on('connected', (e) => {
  // @ts-expect-error the connected event has tokenExp, not tokenExpiry
  console.log(e.tokenExpiry);
});
device.on('tokenRefreshed', (e) => {
  // @ts-expect-error tokenRefreshed has exp and previousExp
  console.log(e.tokenExpiry);
});
device.on('disconnected', (e) => {
  // @ts-expect-error reason is one of the session's close reasons
  if (e.reason === 'timeout') console.log(e.planned);
});
device.on('authRejected', (e) => {
  // @ts-expect-error returnCode exists on MQTT refusals only: narrow on transport first
  console.log(e.returnCode);
});
// @ts-expect-error a downlink handler receives a Downlink, not a connected event
device.on('connected', (d: Downlink) => console.log(d.subTopic));
const onSent = (e: DeviceEvents['sent']) => console.log(e.bytes);
// @ts-expect-error a sent handler is not a dropped handler
device.off('dropped', onSent);

// The on<Name> options: payloads are typed, and unknown option names are refused.
createDevice({
  deviceId: 'd',
  credentials: { privateKey: 'PEM' },
  // @ts-expect-error Downlink has subTopic, not subTopc
  onDownlink: (d) => console.log(d.subTopc),
});
createDevice({
  deviceId: 'd',
  credentials: { privateKey: 'PEM' },
  // @ts-expect-error the option is onConnected
  onConected: () => {},
});
createDevice({
  deviceId: 'd',
  credentials: { privateKey: 'PEM' },
  // @ts-expect-error the MQTT URL is mqtt.url
  mqttUrl: 'mqtt://localhost',
});
createDevice({
  deviceId: 'd',
  credentials: { privateKey: 'PEM' },
  // @ts-expect-error the token lifetime option is tokenLifetimeS
  lifetimeS: 600,
});
createDevice({
  deviceId: 'd',
  credentials: { privateKey: 'PEM' },
  mqtt: {
    url: 'mqtt://localhost',
    // @ts-expect-error the device sets no MQTT will
    will: { topic: 'x', payload: 'y' },
  },
});

// publish() and signJwt() options.
// @ts-expect-error publish has no retain option
device.publish({ t: 1 }, { retain: true });
// @ts-expect-error QoS 2 is not offered
device.publish({ t: 1 }, { qos: 2 });
// @ts-expect-error signJwt's lifetime option is lifetimeS
signJwt({ privateKey: 'PEM', deviceId: 'd', tokenLifetimeS: 600 });
