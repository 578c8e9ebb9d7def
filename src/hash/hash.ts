// The hash contract: bytes in, digest out. Lets a target swap in a native implementation.
export type Hash = (msg: Uint8Array) => Uint8Array;
