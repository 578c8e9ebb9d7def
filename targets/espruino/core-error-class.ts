// Build-time stand-in for src/error-class.ts in the Espruino sub-modules (akenza-sign, akenza-keys):
// the classes come from the core already loaded, so `e instanceof akenza.AkenzaError` holds for what
// a sub-module throws.
export function errorClass<Code extends string>(name: string): new (code: Code, message: string) => Error & { readonly code: Code } {
  return (require('akenza-device') as { [name: string]: never })[name];
}
