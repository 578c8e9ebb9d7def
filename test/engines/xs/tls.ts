// Module stand-in for 'embedded:io/socket/tcp/tls' (see shims.ts).
export { TLSSocket as default } from './shims';
