// Types for scripts/engines/xs.mjs.
/** Path of the xsnap binary that scripts/engines/xs.mjs builds. */
export declare function xsnapPath(): string;
