// Types for scripts/engines/xs.mjs.
/** Path of the xsnap binary that scripts/engines/xs.mjs builds. */
export declare function xsnapPath(): string;
/** The last `n` lines of a text. */
export declare function tail(text: string, n: number): string;
/** Runs `cmd args` in `cwd` with its output appended to `log`; throws with the log's tail when it fails. */
export declare function runLogged(cmd: string, args: string[], cwd: string, log: string, tailLines?: number): void;
/** Fetches and builds xsnap into `into` (default: the cache under node_modules); returns the binary's path. */
export declare function build(into?: string): string;
