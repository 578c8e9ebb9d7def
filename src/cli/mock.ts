// `akenza-device mock`: runs the mock cloud from a registry file, prints where it listens and every
// uplink live (secrets never printed), optionally appends uplinks as JSON lines; stops on SIGINT/SIGTERM.
import { appendFileSync } from 'node:fs';
import { startMockCloud, uplinkToJsonLine, type MockCloud, type Uplink } from '../mock/index';
import { parseCommandArgs, UsageError, type Io } from './io';

/** CLI default ports: MQTT 1883, MQTTS 8883, HTTP 8080, CoAP 5683, UDP 5684 (0 = any free port). */
export const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, http: 8080, coap: 5683, udp: 5684 };

export const MOCK_HELP = `usage: akenza-device mock --registry FILE [--host H] [--mqtt-port N] [--mqtts-port N] [--http-port N]
                           [--coap-port N] [--udp-port N] [--ca-out FILE] [--tls-rsa] [--uplinks-out FILE.jsonl]
                           [--audience-base URL] [--max-lifetime S] [--allow-secret-in-query] [--quiet]

Runs the mock cloud: an MQTT broker that checks device JWTs and uplink secrets as the platform
does, and HTTP, CoAP and UDP capture endpoints. Prints where it listens, every uplink and every
refusal with its reason (secrets never printed). Runs until SIGINT/SIGTERM, then exits 0.

options:
  --registry FILE          devices, credentials and connectors (akenza-device registry add ...)
  --host H                 listen address (default 127.0.0.1)
  --mqtt-port N            plain MQTT (default ${DEFAULT_PORTS.mqtt}); every port: 0 = any free port
  --mqtts-port N           MQTT over TLS (default ${DEFAULT_PORTS.mqtts}), a throwaway CA made at start
  --http-port N            POST /v3/capture (default ${DEFAULT_PORTS.http})
  --coap-port N            CoAP POST /v3/capture (default ${DEFAULT_PORTS.coap})
  --udp-port N             UDP datagrams (default ${DEFAULT_PORTS.udp})
  --ca-out FILE            write the MQTTS CA certificate for clients to trust
  --tls-rsa                an RSA-2048 server certificate instead of P-256 (Espruino's TLS needs RSA)
  --uplinks-out FILE       append every uplink as one JSON line
  --audience-base URL      aud base (default: the registry's, else https://akenza.io)
  --max-lifetime S         longest token lifetime accepted (default 86400)
  --allow-secret-in-query  accept the HTTP uplink secret as a query parameter
  --quiet                  print only the listening addresses and uplinks (no connects or refusals)
  -h, --help               this help`;

function port(v: string | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError('--' + name + '-port must be 0..65535');
  return Number(v);
}

function describeUplink(u: Uplink): string {
  const body = u.json ? JSON.stringify(u.payload) : u.raw.length + ' bytes base64 ' + Buffer.from(u.raw).toString('base64');
  return 'uplink ' + u.transport + ' ' + u.deviceId + ' topic=' + u.topic + ' ' + (body.length > 500 ? body.slice(0, 500) + '...' : body);
}

/** Starts the mock from CLI arguments and runs until `stop` resolves; returns the cloud once closed. */
export async function runMock(args: string[], io: Io, stop: (cloud: MockCloud) => Promise<void>): Promise<void> {
  const { values } = parseCommandArgs(args, {
    registry: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'mqtt-port': { type: 'string' },
    'mqtts-port': { type: 'string' },
    'http-port': { type: 'string' },
    'coap-port': { type: 'string' },
    'udp-port': { type: 'string' },
    'ca-out': { type: 'string' },
    'tls-rsa': { type: 'boolean', default: false },
    'uplinks-out': { type: 'string' },
    'audience-base': { type: 'string' },
    'max-lifetime': { type: 'string' },
    'allow-secret-in-query': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  });
  if (!values.registry) throw new UsageError('--registry FILE is required (create one with: akenza-device registry add ...)');
  if (values['max-lifetime'] !== undefined && !/^\d+$/.test(values['max-lifetime'])) throw new UsageError('--max-lifetime must be whole seconds');
  const cloud = await startMockCloud({
    registryFile: values.registry,
    host: values.host,
    ports: {
      mqtt: port(values['mqtt-port'], DEFAULT_PORTS.mqtt, 'mqtt'),
      mqtts: port(values['mqtts-port'], DEFAULT_PORTS.mqtts, 'mqtts'),
      http: port(values['http-port'], DEFAULT_PORTS.http, 'http'),
      coap: port(values['coap-port'], DEFAULT_PORTS.coap, 'coap'),
      udp: port(values['udp-port'], DEFAULT_PORTS.udp, 'udp'),
    },
    caFile: values['ca-out'],
    tlsKeyType: values['tls-rsa'] ? 'rsa' : 'ec',
    audienceBase: values['audience-base'],
    maxLifetimeS: values['max-lifetime'] === undefined ? undefined : Number(values['max-lifetime']),
    allowSecretInQuery: values['allow-secret-in-query'],
    log: values.quiet ? undefined : (line) => io.out(line),
  });
  const h = cloud.host;
  io.out('mock cloud: ' + cloud.registry.devices.size + ' device(s), ' + cloud.registry.connectors.size + ' connector(s) from ' + values.registry + '; aud base ' + cloud.audienceBase);
  io.out('  mqtt   mqtt://' + h + ':' + cloud.mqttPort);
  io.out('  mqtts  mqtts://' + h + ':' + cloud.mqttsPort + (values['ca-out'] ? ' (CA in ' + values['ca-out'] + ')' : ' (pass --ca-out FILE for the CA)'));
  io.out('  http   http://' + h + ':' + cloud.httpPort + '/v3/capture');
  io.out('  coap   coap://' + h + ':' + cloud.coapPort + '/v3/capture');
  io.out('  udp    udp://' + h + ':' + cloud.udpPort);
  cloud.on('uplink', (u) => {
    io.out(describeUplink(u));
    if (values['uplinks-out']) appendFileSync(values['uplinks-out'], uplinkToJsonLine(u) + '\n');
  });
  try {
    await stop(cloud);
  } finally {
    await cloud.close();
    io.out('mock cloud stopped');
  }
}

export function mockCommand(args: string[], io: Io): Promise<void> {
  return runMock(args, io, () =>
    new Promise<void>((resolve) => {
      const done = () => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    }),
  );
}
