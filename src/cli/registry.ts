// `akenza-device registry`: edits the mock cloud's registry file (add a device credential, add a
// connector or assign a device to one), creating the file if missing and validating before writing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Registry, RegistryError, type RegistryJson } from '../mock/registry';
import type { Io } from './main';
import { UsageError } from './main';

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
  const { values } = parseArgs({ args, options: { registry: { type: 'string' }, device: { type: 'string' }, key: { type: 'string' }, expires: { type: 'string' } } });
  if (!values.registry) throw new UsageError('--registry FILE is required');
  if (!values.device) throw new UsageError('--device ID is required');
  if (!values.key) throw new UsageError('--key PUB.pem is required');
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
  const kid = entry.credentials[entry.credentials.length - 1].kid;
  io.out('added credential kid ' + kid + ' to device ' + values.device + ' (' + entry.credentials.length + ' of 3) in ' + values.registry);
}

function connectorCommand(args: string[], io: Io): void {
  const { values } = parseArgs({ args, options: { registry: { type: 'string' }, id: { type: 'string' }, secret: { type: 'string' }, device: { type: 'string', multiple: true } } });
  if (!values.registry) throw new UsageError('--registry FILE is required');
  if (!values.id) throw new UsageError('--id CONNECTOR is required');
  if (!values.secret) throw new UsageError('--secret S is required');
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
  io.out('connector ' + values.id + ' holds ' + (conn.devices.length ? conn.devices.join(', ') : 'no devices') + ' in ' + values.registry + ' (secret not shown)');
}

export function registryCommand(args: string[], io: Io): void {
  const sub = args[0];
  if (sub === 'add') return addCommand(args.slice(1), io);
  if (sub === 'connector') return connectorCommand(args.slice(1), io);
  throw new UsageError('expected "registry add" or "registry connector"');
}
