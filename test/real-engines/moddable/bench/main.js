// Signing times of the SDK's Moddable bundle inside the real XS (lin), for scripts/bench/moddable.ts:
// after a warm-up, `runs` samples of `batch` sequential signJwt calls each (ES256 with kid "auto",
// then RS256), timed with Time.ticks (ms); one `@@ {json}` line with every sample, then @@exit 0.
import { signJwt } from "akenza-device";
import Time from "time";
import config from "mc/config";
import F from "fixtures";

globalThis.abort = function (message, exception) {
	trace(`abort: ${message}: ${exception}\n`);
};

async function samples(key, runs, batch) {
	await signJwt({ privateKey: key, deviceId: "bench", kid: "auto" });     // warm-up: parse, caches
	const out = [];
	for (let r = 0; r < runs; r++) {
		const t0 = Time.ticks;
		for (let i = 0; i < batch; i++) await signJwt({ privateKey: key, deviceId: "bench", kid: "auto" });
		out.push((Time.ticks - t0) / batch);
	}
	return out;
}

async function main() {
	const runs = parseInt(config.runs), batch = parseInt(config.batch);
	const es256 = await samples(F.EC, runs, batch);
	const rs256 = await samples(F.RSA, runs, batch);
	trace("@@ " + JSON.stringify({ name: "bench", runs, batch, es256, rs256 }) + "\n");
}

main().then(() => trace("@@exit 0\n"), (e) => { trace(`@@ ${JSON.stringify({ name: "bench", failed: String(e) })}\n`); trace("@@exit 1\n"); });
