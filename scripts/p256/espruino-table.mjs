// The comb table as the Espruino bundle reads it (dist/espruino/akenza-p256.bin): comb-table.bin's
// 8 tables of 8 points, each table's 176 int32 limbs reordered limb-major (limb l of point v at
// l * 8 + v, x limbs 0-10 then y limbs), so one E.convolve over 8 consecutive values picks a limb of
// the chosen point (targets/espruino/p256-ram.ts). Same size and values, another order.
export function espruinoTableBytes(bytes) {
  const src = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Int32Array(src.length);
  for (let j = 0; j < src.length / 176; j++)
    for (let v = 0; v < 8; v++) for (let l = 0; l < 22; l++) out[j * 176 + l * 8 + v] = src[j * 176 + v * 22 + l];
  return new Uint8Array(out.buffer);
}
