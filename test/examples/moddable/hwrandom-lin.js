// Stand-in for the example's hwrandom module (hwrandom.js + hwrandom.c, the ESP32's RNG) when the
// example runs in the real Moddable SDK on lin: the same seeded generator as hwrandom.ts, its seed
// from the app's config (`seed=N` on the run-app.sh line), so the test knows the key the first boot makes.
import config from "mc/config";

let state = parseInt(config.seed);
export default function randomBytes(n) {
	const b = new Uint8Array(n);
	for (let i = 0; i < n; i++) b[i] = ((state = (state * 1103515245 + 12345) & 0x7fffffff) >> 16) & 255;
	return b;
}
