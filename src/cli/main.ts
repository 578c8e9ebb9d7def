// The akenza-device command line: dispatches to one module per subcommand.
import { AkenzaError } from '../errors';
import { fingerprintCommand } from './fingerprint';
import { jwtCommand } from './jwt';
import { keygenCommand } from './keygen';
import { mockCommand } from './mock';
import { registryCommand } from './registry';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export class UsageError extends Error {}

const COMMANDS: { [name: string]: { run: (args: string[], io: Io) => Promise<void> | void; usage: string } } = {
  keygen: { run: keygenCommand, usage: 'keygen --alg ES256|RS256 --out PREFIX   write PREFIX.key.pem (PKCS#8) and PREFIX.pub.pem (SPKI)' },
  fingerprint: { run: fingerprintCommand, usage: 'fingerprint FILE                       the kid of an SPKI or certificate PEM' },
  jwt: { run: jwtCommand, usage: 'jwt --key FILE --device ID [--lifetime S] [--kid auto|none|HEX] [--audience-base URL]' },
  registry: { run: registryCommand, usage: 'registry add --registry FILE --device ID --key PUB.pem [--expires ISO] | registry connector --registry FILE --id ID --secret S --device ID' },
  mock: { run: mockCommand, usage: 'mock --registry FILE [--host H] [--mqtt-port N] [--mqtts-port N] [--http-port N] [--coap-port N] [--udp-port N] [--ca-out FILE] [--uplinks-out FILE.jsonl]' },
};

export function usage(): string {
  return ['usage: akenza-device <command> [options]', '', 'commands:'].concat(Object.keys(COMMANDS).map((c) => '  ' + COMMANDS[c].usage)).join('\n');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const name = argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err('akenza-device: unknown command ' + JSON.stringify(name) + '\n' + usage());
    return 2;
  }
  try {
    await cmd.run(argv.slice(1), io);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (e as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      io.err('akenza-device ' + name + ': ' + (e as Error).message + '\nusage: akenza-device ' + cmd.usage);
      return 2;
    }
    if (e instanceof AkenzaError || (e as { code?: string }).code === 'ENOENT') {
      io.err('akenza-device ' + name + ': ' + (e as Error).message);
      return 1;
    }
    throw e;
  }
}
