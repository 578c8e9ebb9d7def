// `akenza-device mock`: runs the mock cloud from a registry file or a state dir, prints where it listens
// (addresses a board can use) and every uplink and log line with a timestamp (secrets never printed),
// optionally appends uplinks as JSON lines; serves the admin API for `downlink`; stops on SIGINT/SIGTERM.
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reachableAddresses, urlHost, validTlsName } from '../mock/addresses';
import { startMockCloud, uplinkToJsonLine, type MockCloud, type Uplink } from '../mock/index';
import { ensureStateDir, keptAdminToken, MIN_ADMIN_TOKEN_CHARS, STATE_FILES } from '../mock/state-dir';
import { escapeControls } from '../mock/sanitize';
import { MockSetupError } from '../mock/setup-error';
import { CommandFailed, parseCommandArgs, UsageError, type Io } from './io';

/** CLI default ports: MQTT 1883, MQTTS 8883, MQTT over WebSocket 8083 (ws) and 8084 (wss), HTTP 8080, CoAP 5683, UDP 5684, admin API 8081 (0 = any free port). */
export const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 8083, wss: 8084, http: 8080, coap: 5683, udp: 5684, admin: 8081 };

/** The environment variable holding the admin API token (mock and downlink). */
export const ADMIN_TOKEN_ENV = 'AKENZA_ADMIN_TOKEN';

export const MOCK_HELP = `usage: akenza-device mock --registry FILE | --state-dir DIR [--host H] [--mqtt-port N] [--mqtts-port N]
                           [--ws-port N] [--wss-port N] [--http-port N] [--coap-port N] [--udp-port N]
                           [--admin-port N] [--admin-host H] [--admin-token-file FILE]
                           [--tls-name NAME]... [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--tls-rsa]
                           [--ca-out FILE] [--uplinks-out FILE.jsonl] [--audience-base URL] [--max-lifetime S]
                           [--allow-secret-in-query] [--quiet]

Runs the mock cloud: an MQTT broker (plain, TLS, WebSocket and secure WebSocket) that checks device
JWTs and uplink secrets as the platform does, HTTP, CoAP and UDP capture endpoints, and an admin API
for downlinks (akenza-device downlink). Prints where it listens, then every uplink, connect and
refusal with its reason and an ISO timestamp (secrets and tokens never printed). The registry file
is watched: edits (akenza-device registry add) apply without a restart. Runs until SIGINT/SIGTERM,
then exits 0. A port in use exits 1 naming the option to change.

options:
  --registry FILE          devices, credentials and connectors (akenza-device registry add ...);
                           default with --state-dir: DIR/registry.json
  --state-dir DIR          keep the CA, server key and certificate, registry and admin token in DIR
                           between runs (made on first use): boards keep trusting DIR/ca.pem
  --host H                 listen address (default 127.0.0.1); 0.0.0.0 or :: for boards on the network
  --mqtt-port N            plain MQTT (default ${DEFAULT_PORTS.mqtt}); every port: 0 = any free port
  --mqtts-port N           MQTT over TLS (default ${DEFAULT_PORTS.mqtts})
  --ws-port N              MQTT over WebSocket, ws://H:N/mqtt (default ${DEFAULT_PORTS.ws})
  --wss-port N             MQTT over secure WebSocket, wss://H:N/mqtt (default ${DEFAULT_PORTS.wss})
  --http-port N            POST /v3/capture (default ${DEFAULT_PORTS.http})
  --coap-port N            CoAP POST /v3/capture (default ${DEFAULT_PORTS.coap})
  --udp-port N             UDP datagrams (default ${DEFAULT_PORTS.udp})
  --admin-port N           admin API for downlinks, and the web console at / (default
                           ${DEFAULT_PORTS.admin}; on only with this option, --admin-token-file,
                           --state-dir or $${ADMIN_TOKEN_ENV})
  --admin-host H           admin API listen address (default 127.0.0.1)
  --admin-token-file FILE  admin token: read from FILE, or made and written there (mode 600); else
                           $${ADMIN_TOKEN_ENV}, else DIR/admin-token with --state-dir, else a new
                           mode-600 file in the temp folder (named, never the token, in the output)
  --tls-name NAME          another DNS name or IP address for the server certificate (repeatable); it
                           always covers localhost, 127.0.0.1, ::1 and the listen address (every
                           interface address for 0.0.0.0 / ::)
  --tls-cert FILE          your own server certificate (chain) PEM instead of a generated one
  --tls-key FILE           its private key PEM
  --tls-ca FILE            the CA that signed it (sent after the certificate; written by --ca-out)
  --tls-rsa                an RSA-2048 CA and server certificate instead of P-256 (Espruino's TLS needs RSA)
  --ca-out FILE            write the CA certificate for clients to trust
  --uplinks-out FILE       append every uplink as one JSON line
  --audience-base URL      aud base (default: the registry's, else https://akenza.io)
  --max-lifetime S         longest token lifetime accepted (default 86400)
  --allow-secret-in-query  accept the HTTP uplink secret as a query parameter
  --quiet                  print only the listening addresses, uplinks, registry reloads and tls: lines
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

/** A log line as the CLI prints it: ISO time first. */
const stamped = (line: string) => new Date().toISOString() + ' ' + line;

/** The admin token and where it came from: $AKENZA_ADMIN_TOKEN, a token file (read or made), the state dir's, or a new one to print. */
function adminToken(tokenFile: string | undefined, stateDir: string | undefined): { token?: string; where: string; temp?: string } {
  const env = process.env[ADMIN_TOKEN_ENV];
  if (env !== undefined && env !== '') {
    if (env.trim().length < MIN_ADMIN_TOKEN_CHARS) throw new UsageError('$' + ADMIN_TOKEN_ENV + ' must be at least ' + MIN_ADMIN_TOKEN_CHARS + ' characters');
    return { token: env.trim(), where: 'from $' + ADMIN_TOKEN_ENV };
  }
  if (tokenFile !== undefined) return { token: keptAdminToken(tokenFile), where: 'in ' + tokenFile };
  if (stateDir !== undefined) return { where: 'in ' + join(stateDir, STATE_FILES.adminToken) };
  // Never printed (a mock's output often ends up in a CI log): a new token goes to a mode-600 file.
  const file = join(tmpdir(), 'akenza-mock-admin-token-' + process.pid);
  return { token: keptAdminToken(file), where: 'in ' + file + ' (downlink --admin-token-file ' + file + ')', temp: file };
}

/** Starts the mock from CLI arguments and runs until `stop` resolves; returns the cloud once closed. */
export async function runMock(args: string[], io: Io, stop: (cloud: MockCloud) => Promise<void>): Promise<void> {
  const { values } = parseCommandArgs(args, {
    registry: { type: 'string' },
    'state-dir': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    'mqtt-port': { type: 'string' },
    'mqtts-port': { type: 'string' },
    'ws-port': { type: 'string' },
    'wss-port': { type: 'string' },
    'http-port': { type: 'string' },
    'coap-port': { type: 'string' },
    'udp-port': { type: 'string' },
    'admin-port': { type: 'string' },
    'admin-host': { type: 'string', default: '127.0.0.1' },
    'admin-token-file': { type: 'string' },
    'tls-name': { type: 'string', multiple: true },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
    'ca-out': { type: 'string' },
    'tls-rsa': { type: 'boolean', default: false },
    'uplinks-out': { type: 'string' },
    'audience-base': { type: 'string' },
    'max-lifetime': { type: 'string' },
    'allow-secret-in-query': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  });
  const stateDir = values['state-dir'];
  if (!values.registry && !stateDir) throw new UsageError('--registry FILE or --state-dir DIR is required (create a registry with: akenza-device registry add ...)');
  if (values['max-lifetime'] !== undefined && !/^\d+$/.test(values['max-lifetime'])) throw new UsageError('--max-lifetime must be whole seconds');
  const tlsNames = values['tls-name'] || [];
  for (const n of tlsNames) if (!validTlsName(n)) throw new UsageError('--tls-name ' + JSON.stringify(n) + ' is not a DNS name or IP address');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (values['tls-ca'] !== undefined && values['tls-cert'] === undefined) throw new UsageError('--tls-ca needs --tls-cert and --tls-key');
  if (values['tls-cert'] !== undefined && (values['tls-rsa'] || tlsNames.length > 0)) throw new UsageError('--tls-rsa and --tls-name shape a generated certificate; with --tls-cert the names are those of your certificate');
  const ports = {
    mqtt: port(values['mqtt-port'], DEFAULT_PORTS.mqtt, 'mqtt'),
    mqtts: port(values['mqtts-port'], DEFAULT_PORTS.mqtts, 'mqtts'),
    ws: port(values['ws-port'], DEFAULT_PORTS.ws, 'ws'),
    wss: port(values['wss-port'], DEFAULT_PORTS.wss, 'wss'),
    http: port(values['http-port'], DEFAULT_PORTS.http, 'http'),
    coap: port(values['coap-port'], DEFAULT_PORTS.coap, 'coap'),
    udp: port(values['udp-port'], DEFAULT_PORTS.udp, 'udp'),
  };
  const adminPort = port(values['admin-port'], DEFAULT_PORTS.admin, 'admin');
  if (stateDir) ensureStateDir(stateDir);
  // The admin API runs only when asked for (its port, a token source, or a state dir to keep the token in).
  const adminOn = values['admin-port'] !== undefined || values['admin-token-file'] !== undefined || stateDir !== undefined || !!process.env[ADMIN_TOKEN_ENV];
  const admin = adminOn ? adminToken(values['admin-token-file'], stateDir) : null;
  const tls = values['tls-cert'] !== undefined
    ? { cert: readFileSync(values['tls-cert'], 'utf8'), key: readFileSync(values['tls-key']!, 'utf8'), ca: values['tls-ca'] !== undefined ? readFileSync(values['tls-ca'], 'utf8') : undefined }
    : undefined;
  const log = values.quiet ? undefined : (line: string) => io.out(stamped(line));
  let cloud: MockCloud;
  try {
    cloud = await startMockCloud({
      registryFile: values.registry,
      stateDir,
      host: values.host,
      ports,
      tls,
      tlsNames,
      caFile: values['ca-out'],
      tlsKeyType: values['tls-rsa'] ? 'rsa' : 'ec',
      admin: admin ? { host: values['admin-host'], port: adminPort, token: admin.token } : undefined,
      audienceBase: values['audience-base'],
      maxLifetimeS: values['max-lifetime'] === undefined ? undefined : Number(values['max-lifetime']),
      allowSecretInQuery: values['allow-secret-in-query'],
      // Registry reloads and their refusals are printed even with --quiet: they change what is accepted.
      log: log || ((line) => {
        if (line.indexOf('registry: ') === 0 || line.indexOf('tls: ') === 0) io.out(stamped(line));
      }),
    });
  } catch (e) {
    const err = e as { code?: unknown; listener?: unknown; message: string };
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      const opt = '--' + String(err.listener) + '-port';
      const fix = err.code === 'EADDRINUSE'
        ? 'another program (or another mock) uses that port: stop it, or choose another with ' + opt + ' N (' + opt + ' 0 picks any free port)'
        : 'ports below 1024 need privileges: choose another with ' + opt + ' N (' + opt + ' 0 picks any free port)';
      throw new CommandFailed(err.message.replace(/ \((another program|ports below).*\)$/, '') + '\n  ' + fix);
    }
    if (e instanceof MockSetupError) throw new CommandFailed(err.message);
    throw e;
  }
  const where = reachableAddresses(cloud.host).map(urlHost);
  const h = where[0];
  const caNote = cloud.caFile ? ' (CA in ' + cloud.caFile + ')' : ' (pass --ca-out FILE or --state-dir DIR for the CA)';
  io.out('mock cloud: ' + cloud.registry.devices.size + ' device(s), ' + cloud.registry.connectors.size + ' connector(s) from ' + (cloud.registryFile || 'registry') + '; aud base ' + cloud.audienceBase);
  io.out('  mqtt   mqtt://' + h + ':' + cloud.mqttPort);
  io.out('  mqtts  mqtts://' + h + ':' + cloud.mqttsPort + caNote);
  io.out('  ws     ws://' + h + ':' + cloud.wsPort + '/mqtt');
  io.out('  wss    wss://' + h + ':' + cloud.wssPort + '/mqtt' + caNote);
  io.out('  http   http://' + h + ':' + cloud.httpPort + '/v3/capture');
  io.out('  coap   coap://' + h + ':' + cloud.coapPort + '/v3/capture');
  io.out('  udp    udp://' + h + ':' + cloud.udpPort);
  io.out(admin ? '  admin  http://' + urlHost(values['admin-host']) + ':' + cloud.adminPort + '/admin (token ' + admin.where + ')' : '  admin  off (--state-dir DIR or --admin-port N serves downlinks)');
  // The console's URL without the token: a browser opens it once with ?token=TOKEN (then keeps a cookie).
  if (admin) io.out('  web    http://' + urlHost(values['admin-host']) + ':' + cloud.adminPort + '/?token=TOKEN (the console: TOKEN is the admin token, once per browser)');
  if (where.length > 1) io.out('  also reachable at ' + where.slice(1).join(', '));
  if (cloud.tlsNames.length > 0) io.out('  TLS certificate names: ' + cloud.tlsNames.join(', '));
  cloud.on('uplink', (u) => {
    io.out(stamped(escapeControls(describeUplink(u)))); // the topic and payload are the device's: no raw control characters
    if (values['uplinks-out']) appendFileSync(values['uplinks-out'], uplinkToJsonLine(u) + '\n');
  });
  try {
    await stop(cloud);
  } finally {
    await cloud.close();
    if (admin && admin.temp) rmSync(admin.temp, { force: true }); // a token made for this run only
    io.out(stamped('mock cloud stopped'));
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
