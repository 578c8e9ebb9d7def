// The akenza-device command line: dispatches to one module per subcommand, prints help, and maps
// outcomes to the exit codes documented in docs/cli.md (0 done, 1 failed or refused, 2 usage).
import { readFileSync } from 'node:fs';
import { AkenzaError, errorText } from '../errors';
import { CERT_HELP, certCommand } from './cert';
import { FINGERPRINT_HELP, fingerprintCommand } from './fingerprint';
import { INSPECT_HELP, inspectCommand } from './inspect';
import { DOWNLINK_HELP, downlinkCommand } from './downlink';
import { CommandFailed, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type Io } from './io';
import { JWT_HELP, jwtCommand } from './jwt';
import { KEYGEN_HELP, keygenCommand } from './keygen';
import { MOCK_HELP, mockCommand } from './mock';
import { REGISTRY_HELP, registryCommand } from './registry';
import { SIMULATE_HELP, simulateCommand } from './simulate';

export { UsageError, type Io } from './io';

interface Command {
  /** Returns the exit code, or nothing for success; throws UsageError (exit 2) or AkenzaError (exit 1). */
  run: (args: string[], io: Io) => Promise<number | void> | number | void;
  /** The command's synopsis, shown in the command list and after a usage error. */
  usage: string;
  /** What it does, in a few words, for the command list. */
  summary?: string;
  /** The full text of `akenza-device CMD --help` (default: the usage line). */
  help?: string;
}

const COMMANDS: { [name: string]: Command } = {
  keygen: { run: keygenCommand, usage: 'keygen --out PREFIX [--alg ES256|RS256]', summary: 'a device key pair; prints its fingerprint', help: KEYGEN_HELP },
  fingerprint: { run: fingerprintCommand, usage: 'fingerprint FILE', summary: 'the kid of a public key or certificate PEM', help: FINGERPRINT_HELP },
  cert: { run: certCommand, usage: 'cert --key KEY.pem --device ID [--days N] [--out FILE]', summary: 'a self-signed X.509 certificate credential', help: CERT_HELP },
  jwt: { run: jwtCommand, usage: 'jwt --key FILE --device ID [--lifetime S] [--kid auto|none|HEX | --cert FILE]', summary: 'mint a device token', help: JWT_HELP },
  inspect: { run: inspectCommand, usage: 'inspect TOKEN [--key FILE | --registry FILE] [--device ID]', summary: 'would the platform accept this token, and why not', help: INSPECT_HELP },
  registry: { run: registryCommand, usage: 'registry add|connector --registry FILE ...', summary: 'edit a mock cloud registry file', help: REGISTRY_HELP },
  mock: { run: mockCommand, usage: 'mock --registry FILE | --state-dir DIR [--host H] [--mqtt-port N] ...', summary: 'run the mock cloud', help: MOCK_HELP },
  downlink: { run: downlinkCommand, usage: 'downlink --device ID [--topic T] [--qos 0|1] [--state-dir DIR | --admin-token-file FILE] PAYLOAD', summary: 'send a downlink through a running mock', help: DOWNLINK_HELP },
  simulate: { run: simulateCommand, usage: 'simulate [--devices N] [--rate R] [--duration S] [--lifetime S] [--url URL] ...', summary: 'a fleet of devices against the mock or a broker', help: SIMULATE_HELP },
};

export function usage(): string {
  const list = Object.keys(COMMANDS).map((c) => {
    const cmd = COMMANDS[c];
    return cmd.summary ? '  ' + c + ' '.repeat(Math.max(1, 13 - c.length)) + cmd.summary + '\n      ' + cmd.usage : '  ' + cmd.usage;
  });
  return ['usage: akenza-device <command> [options]', '', 'commands:']
    .concat(list)
    .concat(['', "akenza-device <command> --help shows a command's options; akenza-device --version (-v) its version.", 'exit status: 0 done, 1 failed (or token refused), 2 usage error; see docs/cli.md.'])
    .join('\n');
}

function helpOf(name: string): string {
  const c = COMMANDS[name];
  return c.help || 'usage: akenza-device ' + c.usage;
}

/**
 * The package's version, from its package.json: two folders up from this module both in the
 * sources (src/cli/main.ts) and in the built bin (dist/node/cli.js), as in an installed package.
 */
export function packageVersion(): string {
  try {
    const v = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** -h/--help anywhere before a `--` asks for the command's help. */
function wantsHelp(args: string[]): boolean {
  for (let i = 0; i < args.length && args[i] !== '--'; i++) if (args[i] === '--help' || args[i] === '-h') return true;
  return false;
}

/** Commands whose --key may be encrypted, given --passphrase-file. */
const PASSPHRASE_COMMANDS = ['jwt', 'cert', 'inspect'];

/** A file system error (ENOENT, EACCES, EISDIR, ...): the user's input, not a bug. */
const isFsError = (e: unknown): boolean => !!e && typeof (e as { syscall?: unknown }).syscall === 'string' && typeof (e as { code?: unknown }).code === 'string';

export async function main(argv: string[], io: Io): Promise<number> {
  const name = argv[0];
  if (!name) {
    io.err(usage());
    return EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    io.out(packageVersion());
    return EXIT_OK;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = argv[1];
    if (name === 'help' && topic !== undefined && COMMANDS.hasOwnProperty(topic)) io.out(helpOf(topic));
    else io.out(usage());
    return EXIT_OK;
  }
  const cmd = COMMANDS.hasOwnProperty(name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    io.err('akenza-device: unknown command ' + JSON.stringify(name) + '\n' + usage());
    return EXIT_USAGE;
  }
  const args = argv.slice(1);
  if (wantsHelp(args)) {
    io.out(helpOf(name));
    return EXIT_OK;
  }
  try {
    const code = await cmd.run(args, io);
    return typeof code === 'number' ? code : EXIT_OK;
  } catch (e) {
    // parseArgs's own errors too, for a command module that calls it directly.
    const parseError = typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.indexOf('ERR_PARSE_ARGS') === 0;
    if (e instanceof UsageError || parseError) {
      io.err('akenza-device ' + name + ': ' + (e as Error).message + '\nusage: akenza-device ' + cmd.usage + '\n(akenza-device ' + name + ' --help for details)');
      return EXIT_USAGE;
    }
    // A port in use (EADDRINUSE from listen) counts as a system error too: the user's to fix, not a bug.
    if (e instanceof AkenzaError || e instanceof CommandFailed || isFsError(e)) {
      const hint = e instanceof AkenzaError && e.code === 'KEY_ENCRYPTED' && PASSPHRASE_COMMANDS.indexOf(name) >= 0 ? '; or give its passphrase with --passphrase-file FILE' : '';
      io.err('akenza-device ' + name + ': ' + errorText(e) + hint);
      return EXIT_FAILED;
    }
    throw e;
  }
}
