// The comb table's shape (comb.ts): plain numbers in a module of their own, so code that only checks
// a table file's size (the Espruino core) does not bundle comb.ts, whose field constants are typed
// arrays made at load (~7 variables each on Espruino, kept even when nothing uses them).
export const TEETH = 4;
export const TABLES = 8;
export const COLS = Math.ceil(256 / (TEETH * TABLES));
export const SPAN = COLS * TABLES;
/** Points per table. */
export const PER = 1 << (TEETH - 1);
/** Int32 limbs per point. */
export const ENTRY = 22;
export const TABLE_POINTS = TABLES * PER;
export const TABLE_BYTES = TABLE_POINTS * ENTRY * 4;
