// UTF-8 encode/decode by hand: Espruino and some embedders have no TextEncoder.
import { fail, OPTION_INVALID } from './errors';

export function utf8Encode(s: string): Uint8Array {
  // The exact size first (Espruino's Uint8Array.slice returns a plain Array, so no trimming after):
  // 1 byte below U+0080, 2 below U+0800, 4 for a surrogate pair, else 3 (a lone surrogate is U+FFFD).
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // lone surrogate: replacement char, as TextEncoder does
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 63);
      out[o++] = 0x80 | ((c >> 6) & 63);
    }
    out[o++] = 0x80 | (c & 63);
  }
  return out;
}

/** Strict decoder: malformed sequences (overlong, surrogates, truncated, > U+10FFFF) are an error. */
export function utf8Decode(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i++];
    // Sequence length from the lead byte; 0 = not a lead byte.
    const need = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    let cp = need ? c & (0x3f >> need) : c;
    if (need < 0 || i + need > b.length) fail(OPTION_INVALID, 'invalid UTF-8');
    for (let k = 0; k < need; k++) {
      const d = b[i++];
      if ((d & 0xc0) !== 0x80) fail(OPTION_INVALID, 'invalid UTF-8');
      cp = cp * 64 + (d & 63);
    }
    if ((need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (need === 3 && (cp < 0x10000 || cp > 0x10ffff))) fail(OPTION_INVALID, 'invalid UTF-8');
    s += cp < 0x10000 ? String.fromCharCode(cp) : String.fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + (cp & 1023));
  }
  return s;
}
