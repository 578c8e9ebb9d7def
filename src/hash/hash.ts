// The hash contract: bytes in, digest out. Lets a target swap in a native implementation.
/** A hash function: bytes in, digest out. @inline */
export type Hash = (msg: Uint8Array) => Uint8Array;
