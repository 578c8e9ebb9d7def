// Module stand-in for Moddable's native 'crypt' (xsnap has none): Digest("SHA256") over the SDK's
// pure-JS SHA-256, enough for targets/moddable/native-sha256.ts.
import { concatBytes } from '../../../src/bytes';
import { sha256 } from '../../../src/hash/sha256';

export class Digest {
  private parts: Uint8Array[] = [];
  constructor(type: string) {
    if (type !== 'SHA256') throw new Error('stand-in Digest: SHA256 only');
  }
  write(data: ArrayBuffer | ArrayBufferView): void {
    this.parts.push(ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(data.slice(0)));
  }
  close(): ArrayBuffer {
    const h = sha256(concatBytes(this.parts));
    return h.buffer.slice(h.byteOffset, h.byteOffset + h.length) as ArrayBuffer;
  }
  reset(): void {
    this.parts = [];
  }
}
