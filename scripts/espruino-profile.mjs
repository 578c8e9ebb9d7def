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
  /\bArray\.from\b/, /Uint8Array\.from/, /\bBigInt\b/, /\bBuffer\b/, /\bcatch\{/, /\bDate\.UTC\b/, /\bnew RegExp\b/,
  // a function expression heading a for's init (a minifier's inlined call): Espruino's parser wants a name there
  /\bfor\(function\b/,
];

/**
 * What Espruino's regex engine gets wrong, checked on every regex literal of a bundle (found with
 * acorn's tokenizer). Its parser ends a regex at a `/` even inside a class (a SyntaxError at load);
 * its matcher silently fails on `?` (optional, lazy, `(?:`, lookaround), `{n,m}`, a quantified group,
 * `\b` (backspace there), backreferences and `\u`/`\x` escapes; `[^...]+` matches the empty string;
 * and an anchor inside an alternation (`/^a|b$/`) does not match. Works: `^ $ . [] [^] | \d \w \s`,
 * `*`/`+` after a character or class, capture groups, flags g and i (checked in the real interpreter).
 * Returns one line per problem: the literal and what is wrong with it.
 */
export function regexProblems(pattern, flags) {
  const bad = [];
  if (/[^gi]/.test(flags)) bad.push('flags other than g/i');
  let inClass = false, negated = false, anchors = false, alternation = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[++i];
      if (/[bBuxckpP1-9]/.test(e)) bad.push('escape \\' + e);
      continue;
    }
    if (inClass) {
      if (c === '/') bad.push("unescaped '/' in a class");
      if (c === ']') {
        inClass = false;
        if (negated && pattern[i + 1] === '+') bad.push("[^...]+ (matches '')");
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      negated = pattern[i + 1] === '^';
      if (negated) i++;
    } else if (c === '?') bad.push("'?' (optional, lazy, (?:...) or lookaround)");
    else if (c === '{') bad.push('{n,m}');
    else if (c === ')' && /[*+?{]/.test(pattern[i + 1] || '')) bad.push('a quantified group');
    else if (c === '^' || c === '$') anchors = true;
    else if (c === '|') alternation = true;
  }
  if (anchors && alternation) bad.push('an anchor in an alternation');
  return bad;
}

/** regexProblems() for every regex literal in a script's text: ['/re/flags: problem', ...]. */
export async function espruinoRegexProblems(code) {
  const { tokenizer } = await import('acorn'); // terser's parser, so always installed with it
  const out = [];
  for (const t of tokenizer(code, { ecmaVersion: 'latest' })) {
    if (t.type.label !== 'regexp') continue;
    for (const p of regexProblems(t.value.pattern, t.value.flags)) out.push(code.slice(t.start, t.end) + ': ' + p);
  }
  return out;
}
