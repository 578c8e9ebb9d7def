// Bytes -> binary string for Espruino's string APIs (sockets, btoa). E.toString is the fast path,
// but it returns undefined when it cannot allocate a flat string (low or fragmented memory): then
// the string is built char by char rather than letting "undefined" go out as data.
export function binaryString(b: Uint8Array): string {
  const s = E.toString(b);
  if (typeof s === 'string') return s;
  let t = '';
  for (let i = 0; i < b.length; i++) t += String.fromCharCode(b[i]);
  return t;
}
