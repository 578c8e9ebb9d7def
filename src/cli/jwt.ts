// `akenza-device jwt`: mints a device token from a private key file and prints it.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeSignJwt } from '../sign-jwt';
import { nodeSigners } from '../../targets/node/sign-node';
import type { Io } from './main';
import { UsageError } from './main';

const signJwt = makeSignJwt(nodeSigners);

export async function jwtCommand(args: string[], io: Io): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: 'string' },
      device: { type: 'string' },
      lifetime: { type: 'string', default: '3600' },
      kid: { type: 'string', default: 'auto' },
      'audience-base': { type: 'string' },
      alg: { type: 'string' },
    },
  });
  if (!values.key) throw new UsageError('--key FILE is required');
  if (!values.device) throw new UsageError('--device ID is required');
  if (!/^\d+$/.test(values.lifetime as string)) throw new UsageError('--lifetime must be whole seconds');
  const kid = values.kid === 'none' ? undefined : values.kid;
  if (kid !== undefined && kid !== 'auto' && !/^[0-9a-fA-F]+$/.test(kid)) throw new UsageError('--kid must be auto, none or a hex fingerprint');
  if (values.alg !== undefined && values.alg !== 'ES256' && values.alg !== 'RS256') throw new UsageError('--alg must be ES256 or RS256');
  const token = await signJwt({
    privateKey: readFileSync(values.key, 'utf8'),
    alg: values.alg as 'ES256' | 'RS256' | undefined,
    deviceId: values.device,
    lifetimeS: Number(values.lifetime),
    kid,
    audienceBase: values['audience-base'],
  });
  io.out(token);
}
