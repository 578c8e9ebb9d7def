// PEM (RFC 7468) decoding: label + DER bytes, strict about truncation and encryption headers.
import { base64Decode, base64Encode } from './base64';
import { fail, KEY_ENCRYPTED, PEM_INVALID, PEM_UNSUPPORTED } from './errors';

/** How to get a plain key out of an encrypted one (shared by the refusals of encrypted keys). */
export const DECRYPT = '; decrypt it first, e.g. openssl pkey -in key.pem -out plain.pem';

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/** All PEM blocks in `text`, in order. Anything outside blocks is ignored (openssl writes comments there). */
export function decodePemBlocks(text: string): PemBlock[] {
  const lines = text.replace(/\r/g, '').split('\n');
  const out: PemBlock[] = [];
  let label: string | null = null;
  let body = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const begin = /^-----BEGIN ([A-Z0-9 ]+)-----$/.exec(line);
    const end = /^-----END ([A-Z0-9 ]+)-----$/.exec(line);
    if (begin) {
      if (label !== null) fail(PEM_INVALID, 'BEGIN ' + begin[1] + ' inside an unterminated ' + label + ' block');
      label = begin[1];
      body = '';
    } else if (end) {
      if (label === null) fail(PEM_INVALID, 'END ' + end[1] + ' without BEGIN');
      if (end[1] !== label) fail(PEM_INVALID, 'BEGIN ' + label + ' closed by END ' + end[1]);
      if (!body) fail(PEM_INVALID, label + ' block is empty');
      out.push({ label, der: base64Decode(body) });
      label = null;
    } else if (label !== null) {
      if (/^Proc-Type:.*ENCRYPTED/i.test(line) || /^DEK-Info:/i.test(line))
        fail(KEY_ENCRYPTED, 'encrypted legacy PEM (' + label + ')' + DECRYPT);
      if (/^[A-Za-z-]+:/.test(line)) continue; // other RFC 1421 headers carry no key material
      body += line;
    }
  }
  if (label !== null) fail(PEM_INVALID, label + ' block is truncated (no END line)');
  if (out.length === 0) fail(PEM_INVALID, 'no PEM block found');
  return out;
}

/** The single block we care about: the first one, or the first with one of `labels`. */
export function decodePem(text: string, labels?: string[]): PemBlock {
  const blocks = decodePemBlocks(text);
  if (!labels) return blocks[0];
  for (let i = 0; i < blocks.length; i++) if (labels.indexOf(blocks[i].label) >= 0) return blocks[i];
  return fail(PEM_UNSUPPORTED, 'expected one of ' + labels.join(', ') + '; found ' + blocks.map((b) => b.label).join(', '));
}

export function encodePem(label: string, der: Uint8Array): string {
  const s = base64Encode(der);
  let out = '-----BEGIN ' + label + '-----\n';
  for (let i = 0; i < s.length; i += 64) out += s.substr(i, 64) + '\n';
  return out + '-----END ' + label + '-----\n';
}
