// One way to make a typed Error subclass that works in every target: Espruino has no
// `super()` call into Error, and XS (Moddable, after preload) freezes Error.prototype so an
// assignment to `name` or `message` throws. So: a plain constructor, properties defined (never
// assigned), `name` on the prototype, and a stack only where the engine offers captureStackTrace
// (Node; on Espruino a stack string costs variables).
const define = (o: object, k: string, value: unknown, enumerable?: boolean) => Object.defineProperty(o, k, { value, writable: true, configurable: true, enumerable: !!enumerable });

/**
 * A constructor `new C(code, message)` whose instances are Errors with `name`, `code` and `message`.
 * The message does not repeat the code: a log of both shows each once (docs/troubleshooting.md).
 */
export function errorClass<Code extends string>(name: string): new (code: Code, message: string) => Error & { readonly code: Code } {
  const C = function (this: object, code: Code, message: string) {
    define(this, 'message', message);
    define(this, 'code', code, true);
    const capture = (Error as { captureStackTrace?: (o: object, c: unknown) => void }).captureStackTrace;
    if (capture) capture(this, C);
  };
  const p = Object.create(Error.prototype);
  define(p, 'constructor', C);
  define(p, 'name', name);
  C.prototype = p;
  return C as unknown as new (code: Code, message: string) => Error & { readonly code: Code };
}
