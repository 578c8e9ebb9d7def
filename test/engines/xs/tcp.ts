// Module stand-in for 'embedded:io/socket/tcp' (see shims.ts).
export { TCP as default } from './shims';
