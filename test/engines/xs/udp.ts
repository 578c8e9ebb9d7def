// Module stand-in for 'embedded:io/socket/udp': these xsnap runs use no fallback (the real Moddable SDK
// suite, test/real-engines/moddable.test.ts, runs the UDP uplinks), so a socket made here is an error.
export default class UDP {
  constructor() {
    throw new Error('embedded:io/socket/udp is not in the xsnap stand-ins');
  }
}
