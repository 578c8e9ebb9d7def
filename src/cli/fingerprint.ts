// `akenza-device fingerprint FILE`: the kid of a public credential (SPKI, certificate or PKCS#1 PEM).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fingerprint } from '../fingerprint';
import type { Io } from './main';
import { UsageError } from './main';

export function fingerprintCommand(args: string[], io: Io): void {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError('expected exactly one FILE');
  io.out(fingerprint(readFileSync(positionals[0], 'utf8')));
}
