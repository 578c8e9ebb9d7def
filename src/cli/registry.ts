// `akenza-device registry`: edits the mock cloud's registry file (add a device credential, add a
// connector or assign a device to one), creating the file if missing and validating before writing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Registry, RegistryError, type Credential, type RegistryJson } from '../mock/registry';
import { deviceIdOption, parseCommandArgs, printJson, readFirstLine, UsageError, type Io } from './io';

export const REGISTRY_HELP = `usage: akenza-device registry add --registry FILE --device ID --key PUB.pem [--expires ISO] [--json]
       akenza-device registry connector --registry FILE --id ID --secret S | --secret-file FILE
                                        [--device ID]... [--json]

Edits a mock cloud registry file (JSON, see docs/cli.md), creating it if missing. The whole file is
validated before it is written; a refusal names the file and the entry and leaves the file as it was.

registry add: adds a credential to a device (created if new; at most 3 credentials per device).
  --registry FILE  the registry file
  --device ID      the deviceId
  --key FILE       the public credential in any of the platform's upload formats: SPKI PEM
                   ("ES256 PEM", "RSA PEM"), X.509 certificate PEM ("ES256 X509 PEM", "RSA X509
                   PEM", e.g. from akenza-device cert) or PKCS#1 RSA PUBLIC KEY
  --expires ISO    the credential stops verifying at this instant, e.g. 2027-01-01T00:00:00Z
  --json           print {registry, deviceId, kid, alg, format, credentials, expiresAt}

registry connector: adds a device connector with an uplink secret, or assigns devices to it.
  --id ID          the connector id (the MQTT username for secret uplinks)
  --secret S       its uplink secret (never printed; argv shows in ps and shell history:
                   prefer --secret-file)
  --secret-file F  read the secret from file F, or from stdin with -; its first line, without the
                   line end
  --device ID      a registered device to assign (repeatable)
  --json           print {registry, id, devices}

  -h, --help       this help`;

/** The credential's upload format in the platform's words. */
function formatName(c: Credential): string {
  return (c.key.alg === 'ES256' ? 'ES256' : 'RSA') + (c.key.format === 'certificate' ? ' X509 PEM' : ' PEM');
}

function load(file: string): RegistryJson {
  if (!existsSync(file)) return { audienceBase: 'https://akenza.io', devices: [], connectors: [] };
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RegistryJson;
  } catch (e) {
    throw new RegistryError(file, '', 'not valid JSON: ' + (e as Error).message);
  }
}

/** Validates the edited registry (errors name the file and entry), then writes it. */
function save(file: string, json: RegistryJson): Registry {
  const reg = Registry.fromJson(json, file);
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  return reg;
}

function addCommand(args: string[], io: Io): void {
  const { values } = parseCommandArgs(args, {
    registry: { type: 'string' },
    device: { type: 'string' },
    key: { type: 'string' },
    expires: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!values.registry) throw new UsageError('--registry FILE is required');
  if (!values.device) throw new UsageError('--device ID is required');
  deviceIdOption(values.device);
  if (!values.key) throw new UsageError('--key PUB.pem is required');
  if (values.expires !== undefined && !(/^\d{4}-\d\d-\d\dT/.test(values.expires) && Number.isFinite(Date.parse(values.expires))))
    throw new UsageError('--expires must be an ISO-8601 date-time such as 2027-01-01T00:00:00Z');
  const json = load(values.registry);
  json.devices = json.devices || [];
  let dev = json.devices.find((d) => d.deviceId === values.device);
  if (!dev) {
    dev = { deviceId: values.device, credentials: [] };
    json.devices.push(dev);
  }
  dev.credentials = dev.credentials || [];
  const cred: { publicKey: string; expiresAt?: string } = { publicKey: readFileSync(values.key, 'utf8') };
  if (values.expires !== undefined) cred.expiresAt = values.expires;
  dev.credentials.push(cred);
  const reg = save(values.registry, json);
  const entry = reg.device(values.device)!;
  const added = entry.credentials[entry.credentials.length - 1];
  if (values.json) {
    const expiresAt = added.expiresAt === undefined ? null : new Date(added.expiresAt).toISOString();
    return printJson(io, { registry: values.registry, deviceId: values.device, kid: added.kid, alg: added.key.alg, format: formatName(added), credentials: entry.credentials.length, expiresAt });
  }
  io.out('added credential kid ' + added.kid + ' (' + formatName(added) + ') to device ' + values.device + ' (' + entry.credentials.length + ' of 3) in ' + values.registry);
}

function connectorCommand(args: string[], io: Io): void {
  const { values } = parseCommandArgs(args, {
    registry: { type: 'string' },
    id: { type: 'string' },
    secret: { type: 'string' },
    'secret-file': { type: 'string' },
    device: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
  });
  if (!values.registry) throw new UsageError('--registry FILE is required');
  if (!values.id) throw new UsageError('--id CONNECTOR is required');
  deviceIdOption(values.id, '--id', 'a connector id');
  if (values.secret !== undefined && values['secret-file'] !== undefined) throw new UsageError('give --secret or --secret-file, not both');
  if (values['secret-file'] !== undefined) values.secret = readFirstLine(values['secret-file'], '--secret-file');
  if (!values.secret) throw new UsageError('--secret S or --secret-file FILE is required');
  for (const d of values.device || []) deviceIdOption(d);
  const json = load(values.registry);
  json.connectors = json.connectors || [];
  let conn = json.connectors.find((c) => c.id === values.id);
  if (conn && conn.uplinkSecret !== values.secret) throw new UsageError('connector ' + values.id + ' exists with a different secret; edit the file to rotate it');
  if (!conn) {
    conn = { id: values.id, uplinkSecret: values.secret, devices: [] };
    json.connectors.push(conn);
  }
  conn.devices = conn.devices || [];
  for (const d of values.device || []) if (!conn.devices.includes(d)) conn.devices.push(d);
  save(values.registry, json);
  if (values.json) return printJson(io, { registry: values.registry, id: values.id, devices: conn.devices });
  io.out('connector ' + values.id + ' holds ' + (conn.devices.length ? conn.devices.join(', ') : 'no devices') + ' in ' + values.registry + ' (secret not shown)');
}

export function registryCommand(args: string[], io: Io): void {
  const sub = args[0];
  if (sub === 'add') return addCommand(args.slice(1), io);
  if (sub === 'connector') return connectorCommand(args.slice(1), io);
  throw new UsageError('expected "registry add" or "registry connector"');
}
