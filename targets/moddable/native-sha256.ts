// SHA-256 through Moddable's native `crypt` Digest (C code the TLS manifest already brings), for the
// P-256 signer's message hash and RFC 6979 HMACs: about 35 SHA-256 blocks per signature, which the
// pure-JS hash spends 1.5-2 ms on in XS on a PC (BENCHMARKS.md, "Moddable SDK (real XS, lin)").
import { Digest } from 'crypt';

export function nativeSha256(message: Uint8Array): Uint8Array {
  const d = new Digest('SHA256');
  d.write(message);
  return new Uint8Array(d.close());
}
