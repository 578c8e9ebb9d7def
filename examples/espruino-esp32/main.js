// Firmware for an ESP32 running Espruino: joins WiFi, sets the clock from an HTTP Date header, makes
// its ES256 key on first boot (kept in Storage, public key printed for upload), then connects to the
// platform with JWTs it signs and publishes a reading every CONFIG.intervalS seconds.
// Written for the Espruino profile: var/functions declared before use, no destructuring, no Map.

// Defaults; a Storage file `akenza.json` (same keys) overrides them, so secrets stay out of the code.
var CONFIG = {
  ssid: 'my-ssid',
  password: 'my-password',
  deviceId: 'a1b2c3d4e5f60718',
  mqttUrl: 'mqtts://mqtt.akenza.io:8883',
  timeUrl: 'http://www.espruino.com/', // any HTTP server (even a redirect): only its Date header is read
  intervalS: 60,
};
var Storage = require('Storage');
var stored = Storage.readJSON('akenza.json', true);
if (stored) for (var k in stored) CONFIG[k] = stored[k];

var KEY_FILE = 'device.key';
var PUB_FILE = 'device.pub';
var akenza = require('akenza-device'); // the module uploaded to Storage as `akenza-device`

// "Sat, 28 Nov 2026 09:28:17 GMT" -> ms since 1970, by day arithmetic (no Date parser needed).
var MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
function parseHttpDate(s) {
  var m = /(\d+) (\w+) (\d+) (\d+):(\d+):(\d+)/.exec(s || ''); // no {n,m} in Espruino's regexes
  if (!m) return NaN;
  var mon = MONTHS.indexOf(m[2]) / 3;
  if (mon < 0 || mon !== Math.floor(mon)) return NaN;
  var y = Number(m[3]) - (mon < 2 ? 1 : 0);
  var era = Math.floor(y / 400);
  var yoe = y - era * 400;
  var mp = (mon + 10) % 12; // March = 0
  var doy = Math.floor((153 * mp + 2) / 5) + Number(m[1]) - 1;
  var doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  var days = era * 146097 + doe - 719468;
  return ((days * 24 + Number(m[4])) * 60 + Number(m[5])) * 60000 + Number(m[6]) * 1000;
}

// The clock starts at 1970 and the SDK signs nothing before it is set: ask a web server for the time.
function syncTime(done) {
  require('http').get(CONFIG.timeUrl, function (res) {
    var t = parseHttpDate(res.headers.Date || res.headers.date);
    res.on('data', function () {});
    if (isNaN(t)) {
      console.log('time: no usable Date header, retrying in 10 s');
      return setTimeout(function () { syncTime(done); }, 10000);
    }
    setTime(t / 1000);
    console.log('time: set to ' + new Date(t).toISOString());
    done();
  }).on('error', function (e) {
    console.log('time: ' + (e && e.message ? e.message : e) + ', retrying in 10 s');
    setTimeout(function () { syncTime(done); }, 10000);
  });
}

// The key never leaves the board: made here once, from the hardware RNG (the SDK reads the ESP32's
// RNG register), and kept in Storage. A board the SDK knows no RNG for can supply one as a Storage
// module `hwrng` exporting randomBytes(n); without either, generateKeyPair refuses (ENTROPY_UNAVAILABLE).
function deviceKey() {
  var pem = Storage.read(KEY_FILE);
  if (pem) return pem;
  console.log('first boot: making an ES256 key pair (a few seconds)...');
  var kp = akenza.generateKeyPair(Storage.read('hwrng') ? require('hwrng').randomBytes : undefined);
  Storage.write(KEY_FILE, kp.privateKeyPem);
  Storage.write(PUB_FILE, kp.publicKeyPem);
  console.log('Register this public key for device ' + CONFIG.deviceId + ' (kid ' + kp.fingerprint + '):');
  console.log(kp.publicKeyPem);
  return kp.privateKeyPem;
}

// A reading; replace with your sensor. E.getTemperature is the chip's own sensor where it has one.
var readings = 0;
function readSensor() {
  var t = typeof E.getTemperature === 'function' ? E.getTemperature() : NaN;
  if (!isFinite(t)) t = 20 + Math.random() * 5; // no on-chip sensor reading (e.g. Espruino's Linux build)
  readings++;
  return { temperature: Math.round(t * 10) / 10, n: readings };
}

var device = null;
var timer = null;

function startDevice() {
  device = akenza.createDevice({
    deviceId: CONFIG.deviceId,
    credentials: { privateKey: deviceKey(), kid: 'auto' },
    mqtt: { url: CONFIG.mqttUrl, ca: Storage.read('ca.pem') },
  });
  device.on('connected', function () { console.log('mqtt: connected'); });
  device.on('disconnected', function (e) { console.log('mqtt: disconnected (' + (e.planned ? 'token refresh' : e.message) + ')'); });
  device.on('authRejected', function (e) { console.log('mqtt: key refused (' + e.returnCode + '): is ' + PUB_FILE + ' registered? retrying'); });
  device.on('downlink', function (d) { console.log('downlink ' + d.subTopic + ': ' + d.text); });
  device.on('error', function (e) { console.log('error: ' + e.message); });
  function publish() {
    var r = readSensor();
    device.publish(r, { topic: 'environment' }).then(function () {
      console.log('sent ' + JSON.stringify(r));
    }, function (e) {
      console.log('not sent: ' + e.message);
    });
  }
  device.start();
  device.on('connected', function first() {
    device.off('connected', first);
    publish();
    timer = setInterval(publish, CONFIG.intervalS * 1000);
  });
}

console.log('WiFi: joining ' + CONFIG.ssid);
require('Wifi').connect(CONFIG.ssid, { password: CONFIG.password }, function (err) {
  if (err) return console.log('WiFi: ' + err);
  console.log('WiFi: connected');
  syncTime(startDevice);
});
