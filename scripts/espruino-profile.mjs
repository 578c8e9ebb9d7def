// The Espruino 2v29 language profile (design brief, section 3), in one place for the build and the
// tests: esbuild `supported` flags for the syntax it lacks, the globals it lacks (deleted before
// a bundle runs in QuickJS), and what must not appear in a bundle's text.

/** esbuild `supported`: syntax Espruino lacks. esbuild lowers what it can and fails on the rest. */
export const ESPRUINO_SUPPORTED = {
  destructuring: false,
  'default-argument': false,
  'rest-argument': false,
  'array-spread': false,
  'object-rest-spread': false,
  'async-await': false,
  generator: false,
  'for-await': false,
  'exponent-operator': false,
  'optional-chain': false,
  'nullish-coalescing': false,
  bigint: false,
  'class-field': false,
  'optional-catch-binding': false,
};

/** Globals Espruino does not have; the QuickJS emulation deletes them. */
export const ESPRUINO_MISSING_GLOBALS = [
  'BigInt', 'BigInt64Array', 'BigUint64Array', 'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Symbol',
  'TextEncoder', 'TextDecoder', 'Math.imul', 'Array.from', 'Uint8Array.from',
];

/** Script that deletes them (Uint8Array.from lives on the shared TypedArray constructor). */
export const STRIP_GLOBALS = `(function () {
  var g = globalThis;
  ${ESPRUINO_MISSING_GLOBALS.filter((n) => n.indexOf('.') < 0 && n !== 'Symbol').map((n) => 'delete g.' + n + ';').join(' ')}
  delete Math.imul; delete Array.from; delete Object.getPrototypeOf(Uint8Array).from; delete Uint8Array.from;
  try { delete g.Symbol; } catch (e) {}
  var left = [];
  ${ESPRUINO_MISSING_GLOBALS.map((n) => 'if (typeof ' + (n.indexOf('.') < 0 ? 'g.' + n : n) + " !== 'undefined') left.push('" + n + "');").join('\n  ')}
  g.__notStripped = left.join(',');
})();`;

/** Text that must not appear in a bundle for the profile (runtime APIs esbuild cannot lower). */
export const ESPRUINO_FORBIDDEN = [
  /\bnew Map\b/, /\bnew Set\b/, /\bWeak(Map|Set|Ref)\b/, /\bSymbol\b/, /Math\.imul/, /TextEncoder/, /TextDecoder/,
  /\bArray\.from\b/, /Uint8Array\.from/, /\bBigInt\b/, /\bBuffer\b/, /\bcatch\{/,
];
