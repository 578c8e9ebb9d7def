// `akenza-device inspect TOKEN`: decodes a device JWT and explains, check by check, whether the
// platform (as the mock broker models it) would accept it; exit 0 accepted, 1 refused.
import { readFileSync } from 'node:fs';
import { DEFAULT_AUDIENCE_BASE } from '../jwt';
import { parsePrivateKey, parsePublicKey } from '../keys';
import { Registry } from '../mock/registry';
import { encodePem } from '../pem';
import { publicKeyFor } from '../sign/sign-jwt';
import { nodeSigners } from '../../targets/node/sign-node';
import { explainJwt, type ExplainedCheck, type ExplainOptions } from './explain-jwt';
import { audienceBaseOption, deviceIdOption, EXIT_FAILED, EXIT_OK, parseCommandArgs, printJson, readPrivateKey, UsageError, type Io } from './io';

export const INSPECT_HELP = `usage: akenza-device inspect TOKEN|- [--key FILE | --registry FILE] [--device ID]
                              [--passphrase-file FILE] [--audience-base URL] [--max-lifetime S] [--json]

Decodes a device JWT and explains, line by line, whether the platform would accept it as an MQTT
password and why not, with the mock broker's own rules: token form, alg (ES256/RS256 only), kid,
signature, aud, exp and iat (600 s clock skew), lifetime. TOKEN "-" reads the token from stdin.

options:
  --key FILE         check the signature (and kid) against this key: a public key or certificate
                     PEM, or a private key PEM or DER, taken as the device's only credential
  --passphrase-file F
                     the passphrase of an encrypted private --key, from file F (first line) or
                     stdin with -; never on the command line
  --registry FILE    check against the device's credentials in a mock registry file (also supplies
                     its audienceBase)
  --device ID        the deviceId (MQTT clientId) the token is for; default: the one aud names
  --audience-base U  expected aud base (default: the registry's, else ${DEFAULT_AUDIENCE_BASE})
  --max-lifetime S   the longest exp - iat accepted, in seconds (default 86400, as the mock)
  --json             print {accepted, connack, reason, signatureChecked, deviceId, audience,
                     header, claims, checks: [{check, ok, detail}]}
  -h, --help         this help

exit status: 0 the platform would accept the token (without --key/--registry: everything but the
signature passes), 1 it would refuse it, 2 usage error.`;

/** --key as a one-credential device: public, certificate or private PEM (only its public half is used). */
function keyAsDevice(file: string, passphraseFile: string | undefined): ExplainOptions['keys'] {
  const input = readPrivateKey(file, passphraseFile);
  // A private key (PEM, or DER bytes: only private keys are read as DER) stands for its public half.
  const publicPem = typeof input !== 'string' || /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input) ? encodePem('PUBLIC KEY', publicKeyFor(parsePrivateKey(input), nodeSigners).spki) : input;
  parsePublicKey(publicPem); // a refusal names the key problem plainly, not a registry entry
  // Then the registry's validation, so the key is held to exactly what the mock cloud accepts.
  const entry = Registry.fromJson({ devices: [{ deviceId: 'key', credentials: [{ publicKey: publicPem }] }] }, file).device('key')!;
  const kid = entry.credentials[0].kid;
  const hint = '--key ' + file + ' has kid ' + kid + (entry.credentials[0].key.format === 'certificate' ? '' : '; for a registered certificate, pass the certificate as --key');
  return { source: '--key ' + file, hint, device: (deviceId) => ({ deviceId, credentials: entry.credentials }) };
}

const MARK = { true: 'ok  ', false: 'FAIL', null: '--  ' };

function line(c: ExplainedCheck): string {
  return '  ' + MARK[String(c.ok) as 'true' | 'false' | 'null'] + '  ' + (c.check + '          ').slice(0, 10) + ' ' + c.detail;
}

export function inspectCommand(args: string[], io: Io): number {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      key: { type: 'string' },
      registry: { type: 'string' },
      device: { type: 'string' },
      'audience-base': { type: 'string' },
      'max-lifetime': { type: 'string' },
      'passphrase-file': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('expected exactly one TOKEN (or - to read it from stdin)');
  if (values.key && values.registry) throw new UsageError('give --key or --registry, not both');
  if (values['max-lifetime'] !== undefined && !/^\d+$/.test(values['max-lifetime'])) throw new UsageError('--max-lifetime must be whole seconds');
  audienceBaseOption(values['audience-base']);
  if (values.device !== undefined) deviceIdOption(values.device);
  const token = positionals[0] === '-' ? readFileSync(0, 'utf8').trim() : positionals[0];

  let keys: ExplainOptions['keys'];
  let registryBase: string | undefined;
  if (values['passphrase-file'] !== undefined && !values.key) throw new UsageError('--passphrase-file goes with --key');
  if (positionals[0] === '-' && values['passphrase-file'] === '-') throw new UsageError('TOKEN - and --passphrase-file - cannot both read stdin');
  if (values.key) keys = keyAsDevice(values.key, values['passphrase-file']);
  if (values.registry) {
    const reg = Registry.load(values.registry);
    registryBase = reg.audienceBase;
    keys = { source: values.registry, device: (id) => reg.device(id) };
  }
  const x = explainJwt(token, {
    deviceId: values.device,
    keys,
    audienceBase: values['audience-base'] || registryBase || DEFAULT_AUDIENCE_BASE,
    nowMs: Date.now(),
    maxLifetimeS: values['max-lifetime'] === undefined ? undefined : Number(values['max-lifetime']),
  });

  if (values.json) printJson(io, x);
  else {
    io.out('header  ' + (x.header === null ? '(not decodable)' : JSON.stringify(x.header)));
    io.out('claims  ' + (x.claims === null ? '(not decodable)' : JSON.stringify(x.claims)));
    for (const c of x.checks) io.out(line(c));
    const what = x.connack === 0 ? '' : x.connack === 4 ? ' (bad username or password: malformed token)' : ' (not authorized)';
    io.out((x.accepted ? 'ACCEPTED' : 'REFUSED') + ': CONNACK ' + x.connack + what + ': ' + x.reason);
  }
  return x.accepted ? EXIT_OK : EXIT_FAILED;
}
