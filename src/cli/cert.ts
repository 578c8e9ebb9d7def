// `akenza-device cert`: a self-signed X.509 certificate (subject CN = deviceId) for a device key, to
// upload as the "ES256 X509 PEM" / "RSA X509 PEM" credential; prints its fingerprint (the JWT kid).
import { existsSync, writeFileSync } from 'node:fs';
import { toHex } from '../bytes';
import { fingerprint, parsePrivateKey } from '../keys';
import { encodePem } from '../pem';
import { createNodeSigner, keyObjectOf } from '../../targets/node/sign-node';
import { deviceIdOption, parseCommandArgs, printJson, readPrivateKey, UsageError, type Io } from './io';
import { MAX_COMMON_NAME, randomSerialNumber, selfSignedCertificate } from './x509';

export const DEFAULT_CERT_DAYS = 3650;
/** notBefore is set this far back, so a device whose clock lags a little still sees the certificate as valid. */
const BACKDATE_S = 60;

export const CERT_HELP = `usage: akenza-device cert --key KEY.pem --device ID [--days N] [--out FILE] [--force] [--passphrase-file FILE] [--json]

A self-signed X.509 v3 certificate for the device's key: subject and issuer CN = ID, valid from
now (less ${BACKDATE_S} s) for N days (default ${DEFAULT_CERT_DAYS}), signed by the key itself (ECDSA P-256 +
SHA-256 for an ES256 key, RSA PKCS#1 v1.5 + SHA-256 for an RS256 key of at least 2048 bits).
Upload it as the "ES256 X509 PEM" or "RSA X509 PEM" credential, or add it to a mock registry
with "akenza-device registry add --key FILE". The fingerprint printed is the kid of tokens the
platform checks against this certificate: lowercase hex SHA-1 of the certificate DER (mint with
"akenza-device jwt --key KEY.pem --cert FILE" to put it in the header).

options:
  --key FILE     the device's private key (PKCS#8, SEC1 or PKCS#1, PEM or DER); never written anywhere
  --passphrase-file F
                 the passphrase of an encrypted --key, from file F (first line) or stdin with -;
                 never on the command line
  --device ID    the deviceId, used as the subject CN (at most ${MAX_COMMON_NAME} characters)
  --days N       validity in days, 1..36500 (default ${DEFAULT_CERT_DAYS})
  --out FILE     write the PEM to FILE (refuses to overwrite without --force); default: stdout,
                 with the fingerprint on stderr
  --force        overwrite --out FILE
  --json         print {file, certificate, fingerprint, alg, format, subject, serial, notBefore, notAfter}
  -h, --help     this help`;

export function certCommand(args: string[], io: Io): void {
  const { values } = parseCommandArgs(args, {
    key: { type: 'string' },
    device: { type: 'string' },
    days: { type: 'string', default: String(DEFAULT_CERT_DAYS) },
    out: { type: 'string' },
    'passphrase-file': { type: 'string' },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (!values.key) throw new UsageError('--key FILE is required');
  if (!values.device) throw new UsageError('--device ID is required');
  if (!/^\d+$/.test(values.days) || Number(values.days) < 1 || Number(values.days) > 36500) throw new UsageError('--days must be a whole number of days, 1..36500');
  if (values.out && !values.force && existsSync(values.out)) throw new UsageError(values.out + ' exists; pass --force to overwrite');
  const deviceId = deviceIdOption(values.device);
  if (deviceId.length > MAX_COMMON_NAME) throw new UsageError('--device must be at most ' + MAX_COMMON_NAME + ' characters to fit a certificate CN');

  const key = parsePrivateKey(readPrivateKey(values.key, values['passphrase-file']));
  createNodeSigner(key); // refuses a key whose stored public half does not match it, as `jwt` would
  const nowS = Math.floor(Date.now() / 1000);
  const notBefore = new Date((nowS - BACKDATE_S) * 1000);
  const notAfter = new Date((nowS + Number(values.days) * 86400) * 1000);
  const serial = randomSerialNumber();
  const der = selfSignedCertificate({ key: keyObjectOf(key), alg: key.alg, commonName: deviceId, notBefore, notAfter, serial });
  const pem = encodePem('CERTIFICATE', der);
  const fp = fingerprint(pem);
  const format = key.alg === 'ES256' ? 'ES256 X509 PEM' : 'RSA X509 PEM';
  if (values.out) writeFileSync(values.out, pem);

  if (values.json) {
    printJson(io, {
      file: values.out || null,
      certificate: pem,
      fingerprint: fp,
      alg: key.alg,
      format,
      subject: 'CN=' + deviceId,
      serial: toHex(serial),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
    });
  } else if (values.out) {
    io.out('wrote ' + values.out + ' (' + format + ', CN=' + deviceId + ', valid until ' + notAfter.toISOString() + '); upload it to the platform');
    io.out('fingerprint ' + fp);
  } else {
    io.out(pem.replace(/\n$/, ''));
    io.err('fingerprint ' + fp);
  }
}
