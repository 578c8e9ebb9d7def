// The mock cloud's device registry: devices with up to 3 public credentials, connectors with an uplink
// secret; loaded from the JSON file format of docs/protocol.md ("The mock cloud's registry file") and validated with file + entry named.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AkenzaError, type ErrorCode } from '../errors';
import { fingerprint, parsePublicKey, type PublicKey } from '../keys';
import { keyObjectFor } from './jws-verify';
import { sameSecret } from './same-secret';

/** Up to this many credentials per device, as on the platform (key rotation). */
export const MAX_CREDENTIALS = 3;

/** The JSON file, as users write it by hand or with `akenza-device registry add`. */
export interface RegistryJson {
  audienceBase?: string;
  devices?: { deviceId: string; credentials?: { publicKey: string; expiresAt?: string }[] }[];
  connectors?: { id: string; uplinkSecret: string; devices?: string[] }[];
}

/** A registered public credential. */
export interface Credential {
  /** The parsed public key. */
  key: PublicKey;
  /** Lowercase hex fingerprint (the JWT `kid`). */
  kid: string;
  /** Milliseconds since the epoch; the credential stops verifying at this instant (mock clock). */
  expiresAt?: number;
  /** The PEM as registered. */
  publicKey: string;
}

/** A registered device and its credentials (at most 3). */
export interface DeviceEntry {
  deviceId: string;
  credentials: Credential[];
}

/** A device connector: its uplink secret and the devices it may send for. */
export interface Connector {
  id: string;
  uplinkSecret: string;
  devices: Set<string>;
}

/** An AkenzaError (the CLI reports it as a user error) naming the file and the entry. */
export class RegistryError extends AkenzaError {
  /** The file (or 'registry' for an in-memory object) and the entry path, e.g. devices[2].credentials[0]. */
  readonly source: string;
  /** The entry at fault, e.g. devices[2].credentials[0] ('' for the whole file). */
  readonly entry: string;
  constructor(source: string, entry: string, message: string, code: ErrorCode = 'OPTION_INVALID') {
    super(code, message);
    this.message = source + ': ' + (entry ? entry + ': ' : '') + message;
    this.name = 'RegistryError';
    this.source = source;
    this.entry = entry;
  }
}

/** Same character rules as the SDK's deviceId (it goes into topics and `aud`). */
const ID_RE = /^[^\s/#+?&%]+$/;
/** Secrets go into MQTT topics and query strings: no topic or URL metacharacters. */
const SECRET_RE = /^[^\s/#+?&%=]+$/;

/** The validated registry: devices by id, connectors by id and by secret. Build it with fromJson or load. */
export class Registry {
  readonly source: string;
  readonly audienceBase?: string;
  readonly devices = new Map<string, DeviceEntry>();
  readonly connectors = new Map<string, Connector>();
  /** Connectors by the SHA-256 of their secret: a lookup's timing depends on the digest, never on the secret. */
  private readonly bySecret = new Map<string, Connector>();

  private constructor(source: string, audienceBase?: string) {
    this.source = source;
    this.audienceBase = audienceBase;
  }

  /** Validates a registry object; `source` names it in errors (the file path when loaded from disk). */
  static fromJson(json: unknown, source = 'registry'): Registry {
    const err = (entry: string, msg: string, code?: ErrorCode): never => {
      throw new RegistryError(source, entry, msg, code);
    };
    if (!json || typeof json !== 'object' || Array.isArray(json)) err('', 'must be a JSON object with "devices" and "connectors"');
    const j = json as RegistryJson;
    if (j.audienceBase !== undefined && (typeof j.audienceBase !== 'string' || !/^https?:\/\/\S+$/.test(j.audienceBase)))
      err('audienceBase', 'must be an http(s) URL such as https://akenza.io');
    const reg = new Registry(source, j.audienceBase === undefined ? undefined : j.audienceBase.replace(/\/+$/, ''));
    if (j.devices !== undefined && !Array.isArray(j.devices)) err('devices', 'must be an array');
    (j.devices || []).forEach((d, i) => {
      let where = 'devices[' + i + ']';
      if (!d || typeof d !== 'object') err(where, 'must be an object');
      if (typeof d.deviceId !== 'string' || !ID_RE.test(d.deviceId)) err(where, 'deviceId must be a non-empty string without whitespace or / # + ? & %');
      where += ' (deviceId ' + JSON.stringify(d.deviceId) + ')';
      if (reg.devices.has(d.deviceId)) err(where, 'duplicate deviceId');
      const creds = d.credentials === undefined ? [] : d.credentials;
      if (!Array.isArray(creds)) err(where + '.credentials', 'must be an array');
      if (creds.length > MAX_CREDENTIALS) err(where + '.credentials', creds.length + ' keys; a device holds at most ' + MAX_CREDENTIALS + ' (remove one before adding another)');
      const entry: DeviceEntry = { deviceId: d.deviceId, credentials: [] };
      creds.forEach((c, k) => {
        const cw = where + '.credentials[' + k + ']';
        if (!c || typeof c !== 'object' || typeof c.publicKey !== 'string') err(cw, 'must be an object with a "publicKey" PEM string');
        let key: PublicKey;
        try {
          key = parsePublicKey(c.publicKey);
        } catch (e) {
          return e instanceof AkenzaError ? err(cw, e.message, e.code) : err(cw, 'publicKey: ' + (e as Error).message);
        }
        // Import it now: a well-formed encoding of a point off the curve (or a bad RSA key) must be
        // refused here, not crash the broker at the first CONNECT that names this device.
        try {
          keyObjectFor(key);
        } catch (e) {
          return err(cw, 'publicKey is not a valid ' + key.alg + ' key (' + (e as Error).message + ')', 'KEY_INVALID');
        }
        const cred: Credential = { key, kid: fingerprint(key), publicKey: c.publicKey };
        if (c.expiresAt !== undefined) {
          const t = typeof c.expiresAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(c.expiresAt) ? Date.parse(c.expiresAt) : NaN;
          if (!Number.isFinite(t)) err(cw + '.expiresAt', 'must be an ISO-8601 date-time such as 2027-01-01T00:00:00Z');
          cred.expiresAt = t;
        }
        if (entry.credentials.some((o) => o.kid === cred.kid)) err(cw, 'the same credential is registered twice (kid ' + cred.kid + ')');
        entry.credentials.push(cred);
      });
      reg.devices.set(d.deviceId, entry);
    });
    if (j.connectors !== undefined && !Array.isArray(j.connectors)) err('connectors', 'must be an array');
    (j.connectors || []).forEach((c, i) => {
      let where = 'connectors[' + i + ']';
      if (!c || typeof c !== 'object') err(where, 'must be an object');
      if (typeof c.id !== 'string' || !ID_RE.test(c.id)) err(where, 'id must be a non-empty string without whitespace or / # + ? & %');
      where += ' (id ' + JSON.stringify(c.id) + ')';
      if (reg.connectors.has(c.id)) err(where, 'duplicate connector id');
      if (typeof c.uplinkSecret !== 'string' || !SECRET_RE.test(c.uplinkSecret)) err(where + '.uplinkSecret', 'must be a non-empty string without whitespace or / # + ? & % =');
      const digest = secretDigest(c.uplinkSecret).toString('hex');
      if (reg.bySecret.has(digest)) err(where + '.uplinkSecret', 'already used by connector ' + JSON.stringify(reg.bySecret.get(digest)!.id));
      const devs = c.devices === undefined ? [] : c.devices;
      if (!Array.isArray(devs)) err(where + '.devices', 'must be an array of deviceIds');
      const conn: Connector = { id: c.id, uplinkSecret: c.uplinkSecret, devices: new Set() };
      devs.forEach((id, k) => {
        if (typeof id !== 'string' || !reg.devices.has(id)) err(where + '.devices[' + k + ']', 'references unknown device ' + JSON.stringify(id) + ' (add it to "devices" first)');
        conn.devices.add(id);
      });
      reg.connectors.set(c.id, conn);
      reg.bySecret.set(digest, conn);
    });
    return reg;
  }

  /** Reads and validates a registry file; JSON syntax errors name the file too. */
  static load(file: string): Registry {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new RegistryError(file, '', 'cannot read: ' + (e as Error).message);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new RegistryError(file, '', 'not valid JSON: ' + (e as Error).message);
    }
    return Registry.fromJson(json, file);
  }

  /** The device entry, or undefined. */
  device(deviceId: string): DeviceEntry | undefined {
    return this.devices.get(deviceId);
  }

  /** The connector holding this uplink secret, or undefined (looked up by digest, confirmed in constant time). */
  connectorBySecret(secret: string): Connector | undefined {
    const digest = secretDigest(secret);
    const conn = this.bySecret.get(digest.toString('hex'));
    return conn && sameSecret(secret, conn.uplinkSecret) ? conn : undefined;
  }

  /** The JSON form (what `registry add` writes back). */
  toJson(): RegistryJson {
    const out: RegistryJson = {};
    if (this.audienceBase !== undefined) out.audienceBase = this.audienceBase;
    out.devices = [...this.devices.values()].map((d) => ({
      deviceId: d.deviceId,
      credentials: d.credentials.map((c) => (c.expiresAt === undefined ? { publicKey: c.publicKey } : { publicKey: c.publicKey, expiresAt: new Date(c.expiresAt).toISOString() })),
    }));
    out.connectors = [...this.connectors.values()].map((c) => ({ id: c.id, uplinkSecret: c.uplinkSecret, devices: [...c.devices] }));
    return out;
  }
}

/** The key of the by-secret index: a digest, so the map never holds the secrets as keys. */
function secretDigest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** True when `candidate` is the connector's uplink secret (compared in constant time). */
export function secretMatches(conn: Connector, candidate: string): boolean {
  return sameSecret(candidate, conn.uplinkSecret);
}

/** Accepts a validated Registry, a registry object, or nothing (empty registry). */
export function toRegistry(input: Registry | RegistryJson | undefined, source?: string): Registry {
  if (input instanceof Registry) return input;
  return Registry.fromJson(input || { devices: [], connectors: [] }, source);
}
