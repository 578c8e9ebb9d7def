/** comb-table.bin's bytes reordered as the Espruino bundle reads them (see espruino-table.mjs). */
export function espruinoTableBytes(bytes: Uint8Array): Uint8Array;
