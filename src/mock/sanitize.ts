// What the mock keeps and prints of text a client chose: identifiers clipped to a fixed length before
// they are stored (auth log, reasons), and control characters escaped in every log line, so a client
// can neither grow the mock's records with long ids nor write terminal escapes or fake lines into its log.

/** Longest identifier (clientId, username, deviceId) kept in a record or a reason. */
export const MAX_ID_CHARS = 128;

/** `s` unchanged up to `max` characters, else its first `max` and a marker with the full length. */
export function clip(s: string, max = MAX_ID_CHARS): string {
  return s.length <= max ? s : s.slice(0, max) + '...(' + s.length + ' chars)';
}

/** clip() for optional fields. */
export function clipOpt(s: string | undefined, max = MAX_ID_CHARS): string | undefined {
  return s === undefined ? undefined : clip(s, max);
}

// C0 (with tab and newline), DEL, C1 (U+0080-U+009F, CSI U+009B included), the line and paragraph
// separators, and the bidi controls that reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The line with every control character as a visible \xNN / \uNNNN escape (one log line stays one line). */
export function escapeControls(line: string): string {
  return line.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x100 ? '\\x' + (n < 16 ? '0' : '') + n.toString(16) : '\\u' + n.toString(16).padStart(4, '0');
  });
}
