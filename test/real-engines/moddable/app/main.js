// The SDK's Moddable bundle in the real Moddable SDK (XS, lin): one app runs every check in order
// against the mock cloud that test/real-engines/moddable.test.ts starts, and traces each result as
// a line `@@ {json}`. Lines `@@ {"phase": ...}` tell the test when to act (restart the broker,
// send a downlink). Every wait has a Timer limit, so a missing answer becomes a failed check and
// the app still ends with `@@exit 0`; any other ending (105: unhandled exception, 102: stack
// overflow, 124: stuck) fails the suite.
import { signJwt, createDevice, generateKeyPair, parsePrivateKey, AkenzaError } from "akenza-device";
import Timer from "timer";
import Time from "time";
import F from "fixtures";
import { ONE } from "bigconst";

globalThis.abort = function (message, exception) {
	trace(`abort: ${message}: ${exception}\n`);
};

const out = (o) => trace("@@ " + JSON.stringify(o) + "\n");
const sleep = (ms) => new Promise((resolve) => Timer.set(resolve, ms));
function within(promise, ms, what) {
	let t;
	return Promise.race([promise, new Promise((_, reject) => { t = Timer.set(() => reject(new Error(what + ": nothing within " + ms + " ms")), ms); })])
		.finally(() => Timer.clear(t));
}
const fromHex = (h) => Uint8Array.fromHex(h);
const errorOf = (e) => ({ name: e && e.name, code: e && e.code, message: e && e.message, isAkenzaError: e instanceof AkenzaError, isError: e instanceof Error });

// Deterministic "RNG" from the test: the bytes the test also feeds its own key generation.
function seededRandom(hex) {
	let pool = fromHex(hex), at = 0;
	return (n) => {
		const b = new Uint8Array(n);
		for (let i = 0; i < n; i++) b[i] = pool[at++ % pool.length];
		return b;
	};
}

// A device whose events are collected; `when(name)` resolves at the next such event.
function watched(options) {
	const events = [];
	const waiters = [];
	const device = createDevice(options);
	for (const name of ["connected", "disconnected", "tokenRefreshed", "authRejected", "error", "downlink", "dropped", "fallback", "sent", "transportError"])
		device.on(name, (arg) => {
			const e = { event: name, t: Date.now() };
			if (name === "disconnected") e.planned = !!(arg && arg.planned), e.reason = arg && arg.reason, e.message = arg && arg.message;
			if (name === "error") e.message = arg && arg.message, e.code = arg && arg.code;
			if (name === "downlink") e.subTopic = arg.subTopic, e.text = arg.text;
			if (name === "tokenRefreshed") e.exp = arg.exp, e.previousExp = arg.previousExp;
			if (name === "authRejected") e.returnCode = arg.returnCode;
			if (name === "fallback" || name === "sent" || name === "transportError") e.transport = arg.transport, e.active = arg.active;
			events.push(e);
			for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].name === name) waiters.splice(i, 1)[0].resolve(arg);
		});
	const when = (name, ms) => within(new Promise((resolve) => waiters.push({ name, resolve })), ms, name);
	const count = (name) => events.filter((e) => e.event === name).length;
	return { device, events, when, count };
}

async function check(name, fn) {
	try {
		out({ name, ...(await fn()) });
	} catch (e) {
		out({ name, failed: String(e && e.stack || e) });
	}
}

async function offline() {
	await check("engine", async () => ({ bigint: typeof BigInt, preloadedOne: ONE === 1n, preloadedOnePlusZero: ONE + 0n === 1n, preloadedOneEqual: ONE == 1n }));

	await check("es256", async () => {
		const t0 = Time.ticks;
		const token = await signJwt({ privateKey: F.EC, deviceId: "dev-es", kid: "auto", lifetimeS: 600 });
		return { token, ms: Time.ticks - t0 };
	});
	await check("rs256", async () => {
		const t0 = Time.ticks;
		const token = await signJwt({ privateKey: F.RSA, deviceId: "dev-rs", lifetimeS: 600 });
		return { token, ms: Time.ticks - t0 };
	});
	await check("badKey", async () => {
		try {
			await signJwt({ privateKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", deviceId: "dev-es" });
			return { error: null };
		} catch (e) { return { error: errorOf(e) }; }
	});
	await check("badKeyDevice", async () => {
		try {
			createDevice({ deviceId: "dev-es", credentials: { privateKey: "nope" }, mqtt: { url: "mqtt://127.0.0.1:" + F.mqttPort } });
			return { error: null };
		} catch (e) { return { error: errorOf(e) }; }
	});
	await check("keygenWithoutRng", async () => {
		try {
			generateKeyPair();
			return { error: null };
		} catch (e) { return { error: errorOf(e) }; }
	});
	await check("keygen", async () => {
		const kp = generateKeyPair(seededRandom(F.seedHex));
		const token = await signJwt({ privateKey: kp.privateKeyPem, deviceId: "dev-gen", kid: "auto" });
		return { publicKeyPem: kp.publicKeyPem, fingerprint: kp.fingerprint, d: parsePrivateKey(kp.privateKeyPem).d.toHex(), token };
	});
}

const fastBackoff = { baseMs: 200, capMs: 1000, resetAfterMs: 2000, authFloorMs: 500 };

// The broker is down when this starts (the test stopped it): the device retries; after two failed
// attempts the test starts the broker again. Then QoS 1 publishes go on while short tokens are
// refreshed at least three times; a downlink arrives in between.
async function mqttRun() {
	await check("mqtt", async () => {
		const w = watched({ deviceId: "dev-es", credentials: { privateKey: F.EC, kid: "auto" }, tokenLifetimeS: F.lifetimeS,
			mqtt: { url: "mqtt://127.0.0.1:" + F.mqttPort }, backoff: fastBackoff, randomBytes: seededRandom("0123456789") });
		const d = w.device;
		d.start();
		const started = Date.now();
		while (w.count("disconnected") < 2 && Date.now() - started < 20000) await sleep(50);
		const failedAttempts = w.count("disconnected");
		out({ phase: "broker-down-seen" });     // the test starts the broker now
		await w.when("connected", 30000);
		const acks = [];
		let n = 0, publishing = true;
		const pump = (async () => {
			while (publishing) {
				const i = n++;
				acks.push(d.publish({ n: i }, { topic: "seq", qos: 1 }).then(() => "acked", (e) => "failed: " + e.message));
				await sleep(100);
			}
		})();
		out({ phase: "send-downlink" });          // the test sends one now
		const downlink = await w.when("downlink", 10000).then((x) => ({ subTopic: x.subTopic, text: x.text }), (e) => ({ failed: e.message }));
		while (w.count("tokenRefreshed") < 3 && Date.now() - started < 60000) await sleep(100);
		publishing = false;
		await pump;
		const results = await within(Promise.all(acks), 20000, "acks");
		await d.stop();
		return { failedAttempts, downlink, published: n, acked: results.filter((r) => r === "acked").length, notAcked: results.filter((r) => r !== "acked"), events: w.events };
	});
}

// MQTT over TLS with the mock's CA (DER from PEM inside the SDK), then with a CA that did not sign it.
async function mqttsRun() {
	await check("mqtts", async () => {
		const w = watched({ deviceId: "dev-tls", credentials: { privateKey: F.EC, kid: "auto" },
			mqtt: { url: "mqtts://127.0.0.1:" + F.mqttsPort, ca: F.CA }, backoff: fastBackoff });
		w.device.start();
		let connected = true;
		await w.when("connected", 20000).catch(() => { connected = false; });
		let acked = null;
		if (connected) acked = await within(w.device.publish({ over: "tls" }, { topic: "tls", qos: 1 }), 10000, "puback").then(() => true, (e) => e.message);
		await w.device.stop();
		return { connected, acked, events: w.events };
	});
	await check("mqttsWrongCa", async () => {
		const w = watched({ deviceId: "dev-tls", credentials: { privateKey: F.EC, kid: "auto" },
			mqtt: { url: "mqtts://127.0.0.1:" + F.mqttsPort, ca: F.WRONG_CA }, backoff: fastBackoff });
		w.device.start();
		const refused = await w.when("disconnected", 20000).then((r) => ({ reason: r.reason, message: r.message }), (e) => ({ failed: e.message }));
		await sleep(1500);                        // it keeps retrying, and keeps failing
		await w.device.stop();
		return { refused, events: w.events };
	});
}

// MQTT over WebSocket (the SDK's RFC 6455 client over the same sockets): ws://, then wss:// with the
// mock's CA; QoS 1 before and after a refresh on each.
async function wsRun() {
	for (const url of ["ws://127.0.0.1:" + F.wsPort + "/mqtt", "wss://127.0.0.1:" + F.wssPort + "/mqtt"]) {
		const scheme = url.slice(0, url.indexOf(":"));
		await check(scheme, async () => {
			const w = watched({ deviceId: "dev-tls", credentials: { privateKey: F.EC }, mqtt: { url, ca: F.CA }, backoff: fastBackoff });
			w.device.start();
			let connected = true;
			await w.when("connected", 20000).catch(() => { connected = false; });
			const acked = [];
			if (connected) {
				acked.push(await within(w.device.publish({ over: scheme, n: 1 }, { topic: "ws", qos: 1 }), 10000, "puback").then(() => true, (e) => e.message));
				w.device.refresh();
				await w.when("tokenRefreshed", 20000).catch(() => {});
				await w.when("connected", 20000).catch(() => {});
				acked.push(await within(w.device.publish({ over: scheme, n: 2 }, { topic: "ws", qos: 1 }), 10000, "puback").then(() => true, (e) => e.message));
			}
			await w.device.stop();
			return { connected, acked, events: w.events };
		});
	}
}

// The fallback: uplinks over MQTT; the test stops the mock's MQTT listener (HTTP takes over), then its
// HTTP listener (CoAP), then its CoAP listener (raw UDP); then it starts them all and MQTT comes back.
async function fallbackRun() {
	await check("fallback", async () => {
		const w = watched({ deviceId: "dev-fb", credentials: { privateKey: F.EC, uplinkSecret: F.fbSecret },
			mqtt: { url: "mqtt://127.0.0.1:" + F.mqttPort },
			fallback: [
				{ type: "http", url: "http://127.0.0.1:" + F.httpPort, timeoutMs: 1000 },
				{ type: "coap", url: "coap://127.0.0.1:" + F.coapPort, ackTimeoutMs: 300, maxRetransmit: 1 },
				{ type: "udp", url: "udp://127.0.0.1:" + F.udpPort },
			],
			fallbackAfterMs: 300, backoff: fastBackoff, fallbackBackoff: { baseMs: 100, capMs: 400, authFloorMs: 1000 } });
		const d = w.device;
		d.start();
		await w.when("connected", 20000);
		const results = [];
		let s = 0;
		const burst = async (phase) => {
			for (let i = 0; i < 3; i++) {
				const n = s++;
				results.push(await within(d.publish({ s: n, phase }, { topic: "fb" }), 20000, "publish " + n).then(() => phase, (e) => "failed: " + e.message));
			}
		};
		await burst("mqtt");
		const down = w.when("disconnected", 10000);
		out({ phase: "fb-stop-mqtt" });
		await down;
		await burst("http");
		out({ phase: "fb-stop-http" });
		await sleep(500);
		await burst("coap");
		out({ phase: "fb-stop-coap" });
		await sleep(500);
		await burst("udp");
		out({ phase: "fb-start-all" });
		const started = Date.now();
		while (d.stats().fallback && Date.now() - started < 20000) await sleep(100);
		await burst("mqtt again");
		await d.stop();
		return { results, sent: d.stats().sent, events: w.events.filter((e) => e.event !== "sent") };
	});
}

async function main() {
	out({ phase: "start" });
	await offline();
	await mqttRun();
	await mqttsRun();
	await wsRun();
	await fallbackRun();
}

main().then(
	() => { out({ phase: "done" }); trace("@@exit 0\n"); },
	(e) => { out({ name: "main", failed: String(e) }); trace("@@exit 1\n"); });
