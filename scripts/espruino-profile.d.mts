// Types for scripts/espruino-profile.mjs.
export declare const ESPRUINO_SUPPORTED: Record<string, boolean>;
export declare const ESPRUINO_MISSING_GLOBALS: string[];
export declare const STRIP_GLOBALS: string;
export declare const ESPRUINO_FORBIDDEN: RegExp[];
export declare function regexProblems(pattern: string, flags: string): string[];
export declare function espruinoRegexProblems(code: string): Promise<string[]>;
