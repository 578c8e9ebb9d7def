// Module stand-in for Moddable's 'timer' (see shims.ts).
export { Timer as default } from './shims';
