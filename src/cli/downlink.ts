// `akenza-device downlink`: sends a downlink to a device's MQTT sessions through a running mock's admin
// API (POST /admin/downlink). The token comes from $AKENZA_ADMIN_TOKEN, a token file or the mock's
// state dir, never from the command line (argv is visible to every user of the machine).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTokenFile, STATE_FILES } from '../mock/state-dir';
import { CommandFailed, deviceIdOption, EXIT_FAILED, parseCommandArgs, printJson, UsageError, type Io } from './io';
import { ADMIN_TOKEN_ENV, DEFAULT_PORTS } from './mock';

export const DOWNLINK_HELP = `usage: akenza-device downlink --device ID [--topic T] [--qos 0|1] [--base64]
                               [--state-dir DIR | --admin-token-file FILE] [--admin URL] [--json] PAYLOAD

Sends PAYLOAD to every MQTT session of the device subscribed to its downlink topic
(/down/device/id/ID[/T]), through the admin API of a running \`akenza-device mock\`. Exits 0 when at
least one session got it, 1 when none did (the device is not connected or not subscribed) or the
mock cannot be reached or refuses the token.

options:
  --device ID              the deviceId
  --topic T                sub-topic below the device's downlink topic (default: none)
  --qos 0|1                QoS of the PUBLISH (default 0)
  --base64                 PAYLOAD is base64 of the bytes to send (default: sent as the text given)
  --state-dir DIR          the mock's state dir: token from DIR/admin-token, URL from DIR/admin-url
  --admin-token-file FILE  the admin token's file (as given to mock --admin-token-file)
  --admin URL              the admin API (default: DIR/admin-url, else http://127.0.0.1:${DEFAULT_PORTS.admin})
  --json                   print {"deviceId", "delivered"}
  -h, --help               this help

The token is looked up in $${ADMIN_TOKEN_ENV}, then --admin-token-file, then DIR/admin-token; it is
never taken from the command line.`;

export async function downlinkCommand(args: string[], io: Io): Promise<number | void> {
  const { values, positionals } = parseCommandArgs(args, {
    device: { type: 'string' },
    topic: { type: 'string' },
    qos: { type: 'string' },
    base64: { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    'admin-token-file': { type: 'string' },
    admin: { type: 'string' },
    json: { type: 'boolean', default: false },
  }, true);
  if (!values.device) throw new UsageError('--device ID is required');
  deviceIdOption(values.device);
  if (values.topic !== undefined && (!values.topic || /[#+\u0000]/.test(values.topic))) throw new UsageError('--topic must be a non-empty sub-topic without # or +');
  if (positionals.length !== 1) throw new UsageError('give exactly one PAYLOAD (quote it: \'{"led":"on"}\')');
  if (values.qos !== undefined && values.qos !== '0' && values.qos !== '1') throw new UsageError('--qos must be 0 or 1');
  const payload = positionals[0];
  if (values.base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new UsageError('--base64: PAYLOAD is not base64');
  const stateDir = values['state-dir'];

  let token: string | undefined;
  let tokenFrom = '';
  const env = process.env[ADMIN_TOKEN_ENV];
  if (env !== undefined && env.trim() !== '') {
    token = env.trim();
    tokenFrom = '$' + ADMIN_TOKEN_ENV;
  } else if (values['admin-token-file'] !== undefined) {
    token = readTokenFile(values['admin-token-file']);
    if (token === undefined) throw new CommandFailed('no admin token file ' + values['admin-token-file'] + ' (the mock writes it when started with --admin-token-file)');
    tokenFrom = values['admin-token-file'];
  } else if (stateDir !== undefined) {
    const f = join(stateDir, STATE_FILES.adminToken);
    token = readTokenFile(f);
    if (token === undefined) throw new CommandFailed('no admin token in ' + f + ' (was the mock started with --state-dir ' + stateDir + '?)');
    tokenFrom = f;
  } else throw new UsageError('no admin token: set $' + ADMIN_TOKEN_ENV + ', or pass --state-dir DIR or --admin-token-file FILE (as given to the mock)');

  let url = values.admin;
  if (url === undefined && stateDir !== undefined && existsSync(join(stateDir, STATE_FILES.adminUrl))) url = readFileSync(join(stateDir, STATE_FILES.adminUrl), 'utf8').trim();
  if (url === undefined) url = 'http://127.0.0.1:' + DEFAULT_PORTS.admin;
  if (!/^https?:\/\/[^/?#]+\/?$/.test(url)) throw new UsageError('--admin must be a base URL such as http://127.0.0.1:' + DEFAULT_PORTS.admin);
  const endpoint = url.replace(/\/$/, '') + '/admin/downlink';

  const body: { [k: string]: unknown } = { deviceId: values.device, qos: values.qos === '1' ? 1 : 0 };
  if (values.topic !== undefined) body.topic = values.topic;
  if (values.base64) body.payloadBase64 = payload;
  else body.payload = payload;
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    throw new CommandFailed('cannot reach the mock admin API at ' + url + ': ' + (cause && cause.code ? cause.code : (e as Error).message) + ' (is `akenza-device mock` running? its "admin" line shows the address)');
  }
  const text = await res.text();
  let reply: { delivered?: unknown; error?: unknown } = {};
  try {
    reply = JSON.parse(text) as typeof reply;
  } catch {
    /* not JSON: reported below */
  }
  if (res.status === 401) throw new CommandFailed('the mock refused the admin token from ' + tokenFrom + ' (the mock prints where its token is: "admin ... (token ...)")');
  if (res.status !== 200 || typeof reply.delivered !== 'number') throw new CommandFailed('the mock refused the downlink (' + res.status + '): ' + (typeof reply.error === 'string' ? reply.error : text.slice(0, 200)));
  const n = reply.delivered;
  if (values.json) printJson(io, { deviceId: values.device, delivered: n });
  else if (n > 0) io.out('delivered to ' + n + ' session(s) of ' + values.device);
  if (n === 0) {
    io.err('akenza-device downlink: not delivered: no session of ' + values.device + ' is subscribed to /down/device/id/' + values.device + (values.topic ? '/' + values.topic : '') + ' (is the device connected and subscribed?)');
    return EXIT_FAILED;
  }
}
