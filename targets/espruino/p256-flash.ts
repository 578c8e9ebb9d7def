// The flash copies of ./p256-ram.ts's kernels: in the Espruino build (scripts/build.mjs) this file's
// text is p256-ram.ts's with the "ram" directives taken out, so the same kernels run from the
// module's flash: slower, but they take fewer variables while a k*G or an inversion runs (comb.ts
// picks them when memory is short). Everywhere else (Node, tests) it is p256-ram.ts itself.
export { ramKernels as flashKernels, ramInv as flashInv } from './p256-ram';
