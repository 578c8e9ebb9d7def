// `akenza-device simulate` options: parsed with node:util parseArgs, every value checked up front so a
// typo fails before any key is generated (UsageError: the CLI exits 2 and prints the usage).
import { parseCommandArgs, UsageError } from '../io';

export type MockMode = 'child' | 'inline';
export type ProgressMode = 'auto' | 'tty' | 'plain' | 'none';

export interface SimOptions {
  devices: number | undefined;
  alg: 'ES256' | 'RS256';
  /** How many of the devices use RS256 when alg is ES256. */
  rs256Devices: number;
  /** Distinct RSA keys shared by the RS256 devices (RSA 2048 generation costs ~100 ms a key). */
  rsaPool: number;
  /** Fleet total messages per second. */
  rate: number;
  durationS: number;
  lifetimeS: number;
  qos: 0 | 1;
  /** Devices connecting at once during the ramp. */
  concurrency: number;
  connectTimeoutS: number;
  /** Seconds into the run at which every device refreshes its token (undefined: only by lifetime). */
  refreshAtS: number | undefined;
  url: string | undefined;
  ca: string | undefined;
  tls: boolean;
  mock: MockMode;
  keysDir: string | undefined;
  registryOut: string | undefined;
  prepareOnly: boolean;
  idPrefix: string;
  audienceBase: string | undefined;
  payloadBytes: number;
  json: boolean;
  progress: ProgressMode;
  /** Write the self-contained HTML report (charts of the time series) here. */
  reportHtml: string | undefined;
  /** Write the time series as CSV files into this directory. */
  reportCsv: string | undefined;
}

const USAGE_HINT = 'see: akenza-device simulate --help';

function int(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError('--' + name + ' must be a whole number from ' + min + ' to ' + max + ' (got ' + JSON.stringify(v) + ')');
  return Number(v);
}

function num(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(n >= min && n <= max)) throw new UsageError('--' + name + ' must be a number from ' + min + ' to ' + max + ' (got ' + JSON.stringify(v) + ')');
  return n;
}

export function parseSimOptions(args: string[]): SimOptions {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      devices: { type: 'string' },
      alg: { type: 'string', default: 'ES256' },
      'rs256-devices': { type: 'string' },
      'rsa-pool': { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      lifetime: { type: 'string' },
      qos: { type: 'string' },
      concurrency: { type: 'string' },
      'connect-timeout': { type: 'string' },
      'refresh-at': { type: 'string' },
      url: { type: 'string' },
      ca: { type: 'string' },
      tls: { type: 'boolean', default: false },
      mock: { type: 'string', default: 'child' },
      'keys-dir': { type: 'string' },
      'registry-out': { type: 'string' },
      'prepare-only': { type: 'boolean', default: false },
      'id-prefix': { type: 'string', default: 'sim-' },
      'audience-base': { type: 'string' },
      'payload-bytes': { type: 'string' },
      json: { type: 'boolean', default: false },
      'report-html': { type: 'string' },
      'report-csv': { type: 'string' },
      progress: { type: 'string', default: 'auto' },
      quiet: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length) throw new UsageError('unexpected argument ' + JSON.stringify(positionals[0]) + ' (' + USAGE_HINT + ')');
  if (values.alg !== 'ES256' && values.alg !== 'RS256') throw new UsageError('--alg must be ES256 or RS256');
  const devices = int(values.devices, 'devices', 1, 100000);
  const rs256Devices = int(values['rs256-devices'], 'rs256-devices', 0, 100000);
  if (rs256Devices !== undefined && values.alg === 'RS256') throw new UsageError('--rs256-devices mixes RS256 into an ES256 fleet; with --alg RS256 every device uses RS256 already');
  if (rs256Devices !== undefined && devices !== undefined && rs256Devices > devices) throw new UsageError('--rs256-devices (' + rs256Devices + ') is more than --devices (' + devices + ')');
  const mock = values.mock as MockMode;
  if (mock !== 'child' && mock !== 'inline') throw new UsageError('--mock must be child (the mock cloud in its own process) or inline (in this process)');
  const progress = (values.quiet ? 'none' : values.progress) as ProgressMode;
  if (['auto', 'tty', 'plain', 'none'].indexOf(progress) < 0) throw new UsageError('--progress must be auto, tty, plain or none');
  if (values.url !== undefined && !/^mqtts?:\/\/(\[[^\]]+\]|[^:/?#\s]+)(:\d+)?\/?$/.test(values.url)) throw new UsageError('--url must look like mqtt://host:1883 or mqtts://host:8883');
  if (values.url !== undefined && values.tls) throw new UsageError('--tls is for the built-in mock; with --url, choose mqtts:// in the URL');
  if (values.ca !== undefined && !(values.url && /^mqtts:/.test(values.url))) throw new UsageError('--ca FILE goes with an mqtts:// --url (the built-in mock hands its CA over by itself)');
  if (values['audience-base'] !== undefined && !/^https?:\/\/\S+$/.test(values['audience-base'])) throw new UsageError('--audience-base must be an http(s) URL such as https://akenza.io');
  if (!/^[^\s/#+?&%]*$/.test(values['id-prefix'])) throw new UsageError('--id-prefix must not contain whitespace or / # + ? & %');
  if (values['prepare-only'] && !values['keys-dir'] && !values['registry-out']) throw new UsageError('--prepare-only writes keys and a registry: give --keys-dir DIR and/or --registry-out FILE');
  const qos = int(values.qos, 'qos', 0, 1);
  return {
    devices,
    alg: values.alg,
    rs256Devices: values.alg === 'RS256' ? -1 : rs256Devices || 0,
    rsaPool: int(values['rsa-pool'], 'rsa-pool', 1, 1000) || 8,
    rate: num(values.rate, 'rate', 0, 1000000) ?? 100,
    durationS: num(values.duration, 'duration', 0, 7 * 86400) ?? 30,
    lifetimeS: int(values.lifetime, 'lifetime', 2, 86340) || 3600,
    qos: qos === 0 ? 0 : 1,
    concurrency: int(values.concurrency, 'concurrency', 1, 100000) || 500,
    connectTimeoutS: num(values['connect-timeout'], 'connect-timeout', 1, 86400) ?? 120,
    refreshAtS: num(values['refresh-at'], 'refresh-at', 0, 7 * 86400),
    url: values.url,
    ca: values.ca,
    tls: values.tls,
    mock,
    keysDir: values['keys-dir'],
    registryOut: values['registry-out'],
    prepareOnly: values['prepare-only'],
    idPrefix: values['id-prefix'],
    audienceBase: values['audience-base'],
    payloadBytes: int(values['payload-bytes'], 'payload-bytes', 16, 16000) || 64,
    json: values.json,
    progress,
    reportHtml: values['report-html'],
    reportCsv: values['report-csv'],
  };
}
