// Module stand-in for Moddable's 'net' DNS (see shims.ts).
export { Net as default } from './shims';
