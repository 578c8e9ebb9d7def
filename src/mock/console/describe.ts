// One-line texts for the console's feed: auth verdicts in `inspect`'s words ("REFUSED: CONNACK 5 (not
// authorized): reason"), payload previews (clipped, control characters escaped, bytes as hex).
import type { AuthLogEntry } from '../mqtt-session';
import { escapeControls } from '../sanitize';

/** Longest payload preview, in characters. */
export const PREVIEW_CHARS = 96;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The first PREVIEW_CHARS characters of a payload: its text when it is UTF-8, else hex of its first bytes. */
export function payloadPreview(raw: Uint8Array): string {
  if (raw.length === 0) return '(empty)';
  // Only the head is decoded: a 256 KB payload costs no more than a small one.
  const head = raw.subarray(0, PREVIEW_CHARS * 4);
  // A multi-byte character cut at the end of the head is still text: up to 3 bytes shorter is tried.
  let text: string | null = null;
  for (let cut = 0; cut <= (raw.length > head.length ? 3 : 0) && text === null; cut++) {
    try {
      text = strictUtf8.decode(head.subarray(0, head.length - cut));
    } catch {
      /* not UTF-8 (yet) */
    }
  }
  if (text === null) return 'hex ' + Buffer.from(raw.subarray(0, 32)).toString('hex') + (raw.length > 32 ? '... (' + raw.length + ' bytes)' : '');
  text = escapeControls(text);
  return text.length > PREVIEW_CHARS || raw.length > head.length ? text.slice(0, PREVIEW_CHARS) + '... (' + raw.length + ' bytes)' : text;
}

/** The verdict as `inspect` words it: ACCEPTED/REFUSED, the CONNACK (or HTTP/CoAP status) and the reason. */
export function verdictText(e: AuthLogEntry): string {
  const mqtt = e.transport === 'mqtt' || e.transport === 'mqtts';
  const what = !mqtt ? (e.transport === 'udp' ? 'status ' : e.transport.toUpperCase() + ' ') + e.code : 'CONNACK ' + e.code + (e.code === 0 ? '' : e.code === 4 ? ' (bad username or password: malformed token)' : ' (not authorized)');
  return (e.code === 0 ? 'ACCEPTED' : 'REFUSED') + ': ' + what + ': ' + e.reason;
}
