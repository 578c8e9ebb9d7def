// The live demo (`npm start`): a mock cloud and a simulated device on this machine, no setup. The device
// makes its own key, is registered, connects over MQTT/TLS with a JWT it signed, publishes every second,
// gets a downlink and renews its short-lived token; Ctrl-C (or --duration S) stops it with a summary.
// The mock's web console (its URL is printed first) shows the same run live in a browser.
//   npm start                                  run until Ctrl-C
//   npm start -- --duration 30                 stop by itself after 30 s
//   npm start -- --token-lifetime 10           shorter tokens (default 20 s; shorter when --duration is short)
//   npm start -- --help                        the options
import { parseArgs } from 'node:util';
import { createDevice, generateKeyPair } from 'akenza-device/node';
import { startMockCloud } from 'akenza-device/mock';

const USAGE = 'usage: npm start -- [--duration S] [--token-lifetime S] [--downlink-after S]';
function usage(message) {
  console.error('demo: ' + message + '\n' + USAGE);
  process.exit(2);
}
if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  console.log(USAGE + `

A mock cloud and a simulated device on this machine: the device makes its own key, connects over
MQTT/TLS with a JWT it signed, publishes every second, gets a downlink and renews its token.

options:
  --duration S        stop by itself after S seconds (default: run until Ctrl-C)
  --token-lifetime S  token lifetime, whole seconds >= 5 (default 20 s; half the run when it is short)
  --downlink-after S  send the downlink after S seconds (default 3)
  -h, --help          this help`);
  process.exit(0);
}
function seconds(v, name, min) {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || n < min) usage('--' + name + ' must be a number of seconds >= ' + min);
  return n;
}
let values;
try {
  ({ values } = parseArgs({ options: { duration: { type: 'string' }, 'token-lifetime': { type: 'string' }, 'downlink-after': { type: 'string' } } }));
} catch (e) {
  usage(e.message);
}
const durationS = seconds(values.duration, 'duration', 1);
// A token must be renewed within the run to be seen: 20 s by default, half the run when that is short.
const lifetimeS = seconds(values['token-lifetime'], 'token-lifetime', 5) ??
  (durationS !== undefined && durationS < 40 ? Math.max(5, Math.floor(durationS / 2)) : 20);
if (!Number.isInteger(lifetimeS)) usage('--token-lifetime must be whole seconds');
const downlinkAfterS = seconds(values['downlink-after'], 'downlink-after', 0) ?? (durationS !== undefined ? Math.min(3, durationS / 3) : 3);

// One aligned line per event: time since start, who said it, what happened.
const t0 = Date.now();
const log = (who, what) => console.log(`+${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s  ${who.padEnd(6)}  ${what}`);
const clock = (s) => new Date(s * 1000).toISOString().slice(11, 19);

const deviceId = 'a1b2c3d4e5f60718';
const keys = generateKeyPair(); // made "on the device": only the public key is handed to the cloud
const cloud = await startMockCloud({
  registry: { devices: [{ deviceId, credentials: [{ publicKey: keys.publicKeyPem }] }], connectors: [] },
  log: (line) => log('cloud', line),
  admin: {}, // the admin API and the web console, on 127.0.0.1 only, behind a token made for this run
});
log('cloud', `listening: MQTT/TLS on localhost:${cloud.mqttsPort}, MQTT on ${cloud.mqttPort}, HTTP on ${cloud.httpPort}`);
// The token in the URL is this run's own: the page trades it for a cookie and drops it from the address bar.
log('cloud', `web console: ${cloud.consoleUrl}?token=${cloud.adminToken} (open it in a browser on this machine)`);
log('cloud', `registered device ${deviceId} with its ES256 public key (kid ${keys.fingerprint.slice(0, 16)}...)`);
cloud.on('uplink', (u) => log('cloud', `uplink #${cloud.uplinks.length} from ${u.deviceId} on "${u.topic}" over ${u.transport}: ${JSON.stringify(u.payload)}`));

const counts = { downlinks: 0, refreshes: 0, published: 0, failed: 0 };
let led = 'off';
const device = createDevice({
  deviceId,
  credentials: { privateKey: keys.privateKeyPem, kid: 'auto' },
  tokenLifetimeS: lifetimeS,
  mqtt: { url: `mqtts://localhost:${cloud.mqttsPort}`, ca: cloud.caPem },
  onConnected: (e) => log('device', `connected over TLS, token valid ${lifetimeS} s (until ${clock(e.tokenExp)} UTC)`),
  onDisconnected: (e) => log('device', `disconnected (${e.planned ? 'planned: token refresh' : e.message || e.reason})`),
  onTokenRefreshed: (e) => {
    counts.refreshes++;
    log('device', `token refresh: switching to a token minted ahead of time (exp ${clock(e.previousExp)} -> ${clock(e.exp)})`);
  },
  onDownlink: (d) => {
    counts.downlinks++;
    log('device', `downlink on "${d.subTopic}": ${d.text}`);
    try {
      const cmd = JSON.parse(d.text);
      if (cmd.led) log('device', `LED ${led} -> ${(led = String(cmd.led))}`);
    } catch {
      /* not JSON: nothing to act on */
    }
  },
  onAuthRejected: (e) => log('device', `credentials refused (CONNACK ${e.returnCode})`),
  onError: (e) => log('device', 'error: ' + e.message),
});
log('device', `created with a fresh ES256 key; ${lifetimeS} s tokens, so a refresh shows up at about ${Math.round(lifetimeS * 0.85)} s`);
device.start();

// A sensor stub: temperature drifts a little each second.
let temperature = 21.5;
const telemetry = setInterval(() => {
  temperature = Math.round((temperature + (Math.random() - 0.5) * 0.4) * 10) / 10;
  const reading = { temperature, led };
  counts.published++;
  device.publish(reading, { topic: 'environment' }).catch((e) => {
    counts.failed++;
    if (!stopping) log('device', 'publish failed: ' + e.message);
  });
}, 1000);
const downlink = setTimeout(() => {
  cloud.sendDownlink(deviceId, { led: 'on' }, { topic: 'commands' }); // the mock logs it
}, downlinkAfterS * 1000);

let stopping = false;
async function shutdown(why) {
  if (stopping) process.exit(130); // a second Ctrl-C while stopping: quit at once
  stopping = true;
  log('demo', why + ', stopping');
  clearInterval(telemetry);
  clearTimeout(downlink);
  clearTimeout(timer);
  // The device's DISCONNECT reaches the mock before it closes (bounded: a second at most).
  const gone = new Promise((resolve) => {
    cloud.on('disconnect', resolve);
    setTimeout(resolve, 1000);
  });
  const online = cloud.sessions().length > 0;
  await device.stop();
  if (online) await gone;
  const s = device.stats();
  const accepted = cloud.authLog.filter((e) => e.code === 0).length;
  const refused = cloud.authLog.length - accepted;
  const uplinks = cloud.uplinks.filter((u) => u.deviceId === deviceId).length;
  await cloud.close();
  const n = (k, what, plural = 's') => k + ' ' + what + (k === 1 ? '' : plural);
  console.log(`summary: ${n(uplinks, 'uplink')} recorded by the mock, ${n(counts.refreshes, 'token refresh', 'es')}, ${n(counts.downlinks, 'downlink')} received, ` +
    `${n(accepted, 'connect')} accepted, ${refused} refused; the device published ${counts.published}, ${s.queued} left queued`);
  process.exit(0);
}
const timer = durationS !== undefined ? setTimeout(() => shutdown(`${durationS} s are up`), durationS * 1000) : undefined;
process.on('SIGINT', () => shutdown('Ctrl-C'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
if (durationS === undefined) log('demo', 'running until Ctrl-C');
