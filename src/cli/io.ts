// What every subcommand shares: the output sinks, the usage error (exit 2) and JSON output.
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { decryptPrivateKey } from '../../targets/node/encrypted-key';
import { AkenzaError } from '../errors';
import { checkDeviceId } from '../jwt';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** A wrong command line: main() prints the message and the command's usage and exits 2. */
export class UsageError extends Error {}

/** The command could not do its job (a port in use, a mock not running): main() prints the message and exits 1. */
export class CommandFailed extends Error {}

/** Exit codes, documented in docs/cli.md. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** node:util parseArgs, strict, with its complaints (unknown option, missing value, stray argument) as UsageErrors. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    if (typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.indexOf('ERR_PARSE_ARGS') === 0) throw new UsageError((e as Error).message);
    throw e;
  }
}

/** One JSON document on stdout (scripts parse the whole of stdout). */
export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** A deviceId (or a connector id: `what`) given as `option`, in the platform's form, else a UsageError (a malformed option value exits 2). */
export function deviceIdOption(value: string, option = '--device', what = 'a deviceId'): string {
  try {
    return checkDeviceId(value);
  } catch (e) {
    if (e instanceof AkenzaError) throw new UsageError(option + ' ' + JSON.stringify(value) + ' is not ' + what + ': non-empty, without whitespace or any of / # + ? & %');
    throw e;
  }
}

/** An http(s) base URL given as --audience-base, else a UsageError. */
export function audienceBaseOption(value: string | undefined): string | undefined {
  if (value !== undefined && !/^https?:\/\/\S+$/.test(value)) throw new UsageError('--audience-base must be an http(s) URL such as https://akenza.io');
  return value;
}

/**
 * A private key file (stdin for '-'): PEM or hex text as a string, anything else (DER: PKCS#8, SEC1,
 * PKCS#1; a raw 32-byte P-256 scalar) as bytes, as the README's "Accepted keys" lists them.
 */
export function readKeyFile(file: string): string | Uint8Array {
  const bytes = readFileSync(file === '-' ? 0 : file);
  const text = bytes.toString('latin1');
  return /^[\t\n\r\x20-\x7e]*$/.test(text) ? text : new Uint8Array(bytes);
}

/** The first line of `file` (stdin for '-'), without its line end, for secrets and passphrases kept off argv; empty is a usage error. */
export function readFirstLine(file: string, option: string): string {
  const line = readFileSync(file === '-' ? 0 : file, 'utf8').split('\n')[0].replace(/\r$/, '');
  if (!line) throw new UsageError(option + ' ' + file + ': the first line is empty');
  return line;
}

/**
 * The private key of --key FILE, decrypted with the passphrase in --passphrase-file when one is given
 * (encrypted PKCS#8 in PEM or DER, or a legacy encrypted PEM): then returned as plain PKCS#8 PEM, held
 * in memory only. The passphrase never comes from the command line itself (argv shows in ps).
 */
export function readPrivateKey(keyFile: string, passphraseFile: string | undefined): string | Uint8Array {
  if (keyFile === '-' && passphraseFile === '-') throw new UsageError('--key - and --passphrase-file - cannot both read stdin');
  const input = readKeyFile(keyFile);
  if (passphraseFile === undefined) return input;
  const passphrase = readFirstLine(passphraseFile, '--passphrase-file');
  try {
    return decryptPrivateKey(input, passphrase); // akenza-device/node's `passphrase` option does the same
  } catch (e) {
    // its reason (node:crypto's code) is the message's closing parenthesis
    const why = /\(([^()]*)\)$/.exec((e as Error).message);
    throw new CommandFailed('cannot decrypt ' + keyFile + ' with the passphrase from ' + passphraseFile + ' (' + (why ? why[1] : (e as Error).message) + ')');
  }
}
