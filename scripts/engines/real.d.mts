// Types for scripts/engines/real.mjs.
export function kitsDeclaredAbsent(): boolean;
export function kitsDir(): string | null;
export function cacheDir(): string;
export const ESPRUINO_VARIABLES: number;
export const ESPRUINO_BUDGETS: number[];
export function buildEngines(kits?: string | null, log?: 'inherit' | 'ignore'): { espruino: string; espruinoAt: { [variables: number]: string }; moddable: string };
