// Fleet credentials for `simulate`: one fresh P-256 key per ES256 device (node:crypto, ~0.1 ms each),
// RS256 devices sharing a small pool of RSA 2048 keys (generation costs ~100 ms a key; the registry
// still holds one entry per device), or keys loaded from a directory of {deviceId}.key.pem files.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AkenzaError, errorText } from '../../errors';
import type { RegistryJson } from '../../mock/registry';

export interface SimCredential {
  deviceId: string;
  alg: 'ES256' | 'RS256';
  /** PKCS#8 PEM, handed to createDevice as a user would. */
  privatePem: string;
  /** SPKI PEM for the registry. */
  publicPem: string;
  /** Fingerprint of the SPKI (the JWT kid). */
  kid: string;
}

export interface FleetPlan {
  count: number;
  /** Devices [count - rs256, count) use RS256. */
  rs256: number;
  rsaPool: number;
  idPrefix: string;
}

const KEY_SUFFIX = '.key.pem';
const ID_RE = /^[^\s/#+?&%]+$/;

function describe(priv: KeyObject): { publicPem: string; kid: string } {
  const pub = createPublicKey(priv);
  const spki = pub.export({ type: 'spki', format: 'der' });
  return { publicPem: pub.export({ type: 'spki', format: 'pem' }) as string, kid: createHash('sha256').update(spki).digest('hex') };
}

/** Zero-padded ids so a directory listing sorts like the fleet: sim-0000 ... sim-9999. */
export function deviceIds(prefix: string, count: number): string[] {
  const width = String(Math.max(0, count - 1)).length;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(prefix + String(i).padStart(width, '0'));
  return ids;
}

export function generateFleet(plan: FleetPlan): SimCredential[] {
  const ids = deviceIds(plan.idPrefix, plan.count);
  const firstRsa = plan.count - plan.rs256;
  const pool: { privatePem: string; publicPem: string; kid: string }[] = [];
  for (let i = 0; i < Math.min(plan.rsaPool, plan.rs256); i++) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    pool.push({ privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, ...describe(privateKey) });
  }
  const out: SimCredential[] = [];
  for (let i = 0; i < plan.count; i++) {
    if (i >= firstRsa) {
      out.push({ deviceId: ids[i], alg: 'RS256', ...pool[(i - firstRsa) % pool.length] });
      continue;
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    out.push({ deviceId: ids[i], alg: 'ES256', privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, ...describe(privateKey) });
  }
  return out;
}

/** True when `dir` holds at least one {deviceId}.key.pem. */
export function hasKeys(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(KEY_SUFFIX));
}

/** Loads {deviceId}.key.pem files (sorted by name), the first `limit` when given. */
export function loadFleet(dir: string, limit?: number): SimCredential[] {
  const files = readdirSync(dir).filter((f) => f.endsWith(KEY_SUFFIX)).sort();
  if (limit !== undefined && files.length < limit)
    throw new AkenzaError('OPTION_INVALID', dir + ' holds ' + files.length + ' key(s) (*' + KEY_SUFFIX + '), fewer than --devices ' + limit);
  const out: SimCredential[] = [];
  for (const f of files.slice(0, limit === undefined ? files.length : limit)) {
    const deviceId = f.slice(0, -KEY_SUFFIX.length);
    if (!ID_RE.test(deviceId)) throw new AkenzaError('OPTION_INVALID', join(dir, f) + ': the file name must be {deviceId}' + KEY_SUFFIX + ', and a deviceId has no whitespace or / # + ? & %');
    const privatePem = readFileSync(join(dir, f), 'utf8');
    let priv: KeyObject;
    try {
      priv = createPrivateKey(privatePem);
    } catch (e) {
      // node:crypto's message names the format problem, never key material.
      throw new AkenzaError('KEY_INVALID', join(dir, f) + ': not a readable private key (' + errorText(e) + ')');
    }
    const t = priv.asymmetricKeyType;
    const curve = priv.asymmetricKeyDetails && priv.asymmetricKeyDetails.namedCurve;
    if (t === 'ec' && curve !== 'prime256v1') throw new AkenzaError('CURVE_UNSUPPORTED', join(dir, f) + ': EC key on ' + curve + '; ES256 needs P-256');
    if (t !== 'ec' && t !== 'rsa') throw new AkenzaError('KEY_UNSUPPORTED', join(dir, f) + ': a ' + t + ' key; use EC P-256 (ES256) or RSA >= 2048 (RS256)');
    out.push({ deviceId, alg: t === 'ec' ? 'ES256' : 'RS256', privatePem, ...describe(priv) });
  }
  return out;
}

/** Writes {deviceId}.key.pem (0600) and {deviceId}.pub.pem for every device. */
export function writeFleet(dir: string, creds: SimCredential[]): void {
  mkdirSync(dir, { recursive: true });
  for (const c of creds) {
    writeFileSync(join(dir, c.deviceId + KEY_SUFFIX), c.privatePem, { mode: 0o600 });
    writeFileSync(join(dir, c.deviceId + '.pub.pem'), c.publicPem);
  }
}

/** The mock's registry (docs/protocol.md, "The mock cloud's registry file"): one device entry with its public key per device. */
export function registryFor(creds: SimCredential[], audienceBase?: string): RegistryJson {
  return {
    audienceBase: audienceBase || 'https://akenza.io',
    devices: creds.map((c) => ({ deviceId: c.deviceId, credentials: [{ publicKey: c.publicPem }] })),
    connectors: [],
  };
}
