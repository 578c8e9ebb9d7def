// Hardware random bytes for the SDK (key generation, backoff jitter, signature hedging): fills a buffer
// from the ESP32's RNG through the small native function in hwrandom.c.
function fill(buffer) @ "xs_hwrandom_fill";

export default function randomBytes(n) {
  const bytes = new Uint8Array(n);
  fill(bytes.buffer);
  return bytes;
}
