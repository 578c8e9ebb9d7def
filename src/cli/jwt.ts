// `akenza-device jwt`: mints a device token from a private key file and prints it.
import { readFileSync } from 'node:fs';
import { equalBytes } from '../bytes';
import { fail } from '../errors';
import { DEFAULT_IAT_BACKDATE_S, MAX_LIFETIME_S } from '../jwt';
import { fingerprint, parsePrivateKey, parsePublicKey } from '../keys';
import { makeSignJwt, publicKeyFor } from '../sign/sign-jwt';
import { nodeSigners } from '../../targets/node/sign-node';
import { audienceBaseOption, deviceIdOption, parseCommandArgs, printJson, readPrivateKey, UsageError, type Io } from './io';

const signJwt = makeSignJwt(nodeSigners);

export const JWT_HELP = `usage: akenza-device jwt --key FILE --device ID [--lifetime S] [--kid auto|none|HEX | --cert FILE]
                          [--passphrase-file FILE] [--audience-base URL] [--alg ES256|RS256] [--json]

Mints a device JWT (the MQTT password) with the device's private key: header {alg, typ, kid},
claims {aud: BASE/devices/ID, iat: now - 60, exp: now + S}. Prints the token.

options:
  --key FILE           private key: PKCS#8, SEC1 or PKCS#1, PEM or DER, or a raw P-256 scalar
                       (32 bytes or 64 hex digits); - reads it from stdin
  --device ID          the deviceId (MQTT clientId)
  --lifetime S         seconds until exp, 1..86340 (default 3600; the platform accepts up to 86400
                       from iat, which is 60 s before now)
  --kid K              auto (default): fingerprint of the key's SPKI; none: no kid (fine with one
                       registered key); HEX: that fingerprint
  --cert FILE          the certificate registered for this key (akenza-device cert): kid = its
                       fingerprint (SHA-1 of the certificate DER); the key must match it
  --passphrase-file F  the passphrase of an encrypted --key, from file F (first line) or stdin
                       with -; never on the command line
  --audience-base URL  aud base of a private cloud (default https://akenza.io)
  --alg A              ES256 or RS256; must match the key (default: from the key)
  --json               print {token, header, claims}
  -h, --help           this help`;

export async function jwtCommand(args: string[], io: Io): Promise<void> {
  const { values } = parseCommandArgs(args, {
    key: { type: 'string' },
    device: { type: 'string' },
    lifetime: { type: 'string', default: '3600' },
    kid: { type: 'string' },
    cert: { type: 'string' },
    'audience-base': { type: 'string' },
    alg: { type: 'string' },
    'passphrase-file': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!values.key) throw new UsageError('--key FILE is required');
  if (!values.device) throw new UsageError('--device ID is required');
  const deviceId = deviceIdOption(values.device);
  // iat is DEFAULT_IAT_BACKDATE_S before now, and exp - iat may be at most MAX_LIFETIME_S.
  const maxLifetime = MAX_LIFETIME_S - DEFAULT_IAT_BACKDATE_S;
  const why = ' (iat is ' + DEFAULT_IAT_BACKDATE_S + ' s before now; the platform accepts at most ' + MAX_LIFETIME_S + ' s from iat to exp)';
  if (!/^\d+$/.test(values.lifetime) || Number(values.lifetime) < 1) throw new UsageError('--lifetime ' + JSON.stringify(values.lifetime) + ' is not whole seconds from 1 to ' + maxLifetime + why);
  if (Number(values.lifetime) > maxLifetime) throw new UsageError('--lifetime ' + values.lifetime + ' is more than ' + maxLifetime + ' s, the longest accepted' + why);
  audienceBaseOption(values['audience-base']);
  if (values.kid !== undefined && values.cert !== undefined) throw new UsageError('give --kid or --cert, not both');
  let kid = values.kid === undefined || values.kid === 'auto' ? 'auto' : values.kid === 'none' ? undefined : values.kid;
  if (kid !== undefined && kid !== 'auto' && !/^[0-9a-fA-F]+$/.test(kid)) throw new UsageError('--kid must be auto, none or a hex fingerprint');
  if (values.alg !== undefined && values.alg !== 'ES256' && values.alg !== 'RS256') throw new UsageError('--alg must be ES256 or RS256');
  // `--key -` reads the key from stdin, as `inspect -` reads the token, so it need not be a file; PEM or DER.
  const privateKey = readPrivateKey(values.key, values['passphrase-file']);
  if (values.cert !== undefined) {
    const cert = parsePublicKey(readFileSync(values.cert, 'utf8'));
    if (cert.format !== 'certificate') throw new UsageError('--cert ' + values.cert + ' holds a public key, not a certificate; use --kid auto for a bare key');
    if (!equalBytes(cert.spki, publicKeyFor(parsePrivateKey(privateKey), nodeSigners).spki)) fail('OPTION_INVALID', 'the certificate ' + values.cert + ' is for a different key than ' + values.key);
    kid = fingerprint(cert);
  }
  const token = await signJwt({
    privateKey,
    alg: values.alg as 'ES256' | 'RS256' | undefined,
    deviceId,
    lifetimeS: Number(values.lifetime),
    kid,
    audienceBase: values['audience-base'],
  });
  if (values.json) {
    const [h, c] = token.split('.');
    const part = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    printJson(io, { token, header: part(h), claims: part(c) });
  } else io.out(token);
}
