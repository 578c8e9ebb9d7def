// Fast strict decoding of compact-JWS segments for the broker's CONNECT path (Node only): Buffer's
// base64url decoder in C++ instead of the portable per-character one, with the same strictness.
import { utf8Decode } from '../utf8';

/**
 * The bytes of an unpadded, canonical base64url segment, or null -- exactly what src/base64's strict
 * base64urlDecode accepts. Buffer's decoder is lenient (skips bad characters, takes `+/` and `=`,
 * ignores non-zero padding bits), so the bytes must re-encode to the very same text.
 */
export function decodeSegment(seg: string): Buffer | null {
  const b = Buffer.from(seg, 'base64url');
  return b.toString('base64url') === seg ? b : null;
}

/** Strict UTF-8 text of `b` (throws on malformed input); all-ASCII input -- every sane JWS -- skips the decoder. */
export function segmentText(b: Buffer): string {
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return utf8Decode(b);
  return b.toString('latin1');
}
