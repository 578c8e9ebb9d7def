// The parts of Espruino's API the adapter uses (2v29), typed as far as it relies on them.
declare const E: {
  hwRand(): number;
  /** sum over i of arr1[i] * arr2[(i + offset) % arr2.length], natively, in a double. */
  convolve(arr1: ArrayLike<number>, arr2: ArrayLike<number>, offset: number): number;
  toUint8Array(s: string): Uint8Array;
  /** undefined when no flat string can be allocated (see binary.ts). */
  toString(b: Uint8Array): string | undefined;
};
declare function require(name: 'net' | 'tls'): {
  connect(options: { host: string; port: number; ca?: string }, onConnect: () => void): EspruinoSocket;
};
declare function require(name: 'crypto'): { SHA256(data: Uint8Array | string): ArrayBuffer; SHA1(data: Uint8Array | string): ArrayBuffer };
declare function require(name: 'Storage'): {
  readArrayBuffer(name: string): ArrayBuffer | undefined;
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
};
/** A module of our own in Storage (akenza-sign, akenza-keys: targets/espruino/modules.json). */
declare function require(name: string): unknown;
/** The module cache: removeCached drops a module, so its variables are freed once nothing uses them. */
declare const Modules: { removeCached(name: string): void };
interface EspruinoSocket {
  on(event: 'data', fn: (data: string) => void): void;
  on(event: 'close' | 'end', fn: (hadError?: boolean) => void): void;
  on(event: 'error', fn: (e: { message?: string; type?: string; code?: number } | string) => void): void;
  /** The send buffer emptied: called with the socket itself. */
  on(event: 'drain', fn: (socket: EspruinoSocket) => void): void;
  /** What write() appended and the network has not taken yet (socketserver.c HTTP_NAME_SEND_DATA). */
  dSnd?: string;
  write(data: string): void;
  end(): void;
}
declare const exports: { [name: string]: unknown };
declare function setTimeout(fn: () => void, ms: number): number;
