// Quickstart (`npm start`): a device key pair, a platform token signed with it, and an independent check.
import { createPublicKey, verify } from 'node:crypto';
import { generateKeyPair, signJwt } from 'akenza-device/node';

const deviceId = process.argv[2] || 'a1b2c3d4e5f60718';

// 1. The device makes its own ES256 key pair; only the public key (and its fingerprint) leave it.
const keys = generateKeyPair();
console.log('Public key to register for device ' + deviceId + ':\n' + keys.publicKeyPem);
console.log('Fingerprint (kid): ' + keys.fingerprint + '\n');

// 2. It signs a token for the platform: aud = https://akenza.io/devices/{deviceId}, 60 min lifetime.
const token = await signJwt({ privateKey: keys.privateKeyPem, deviceId, kid: 'auto' });
const [header, claims, signature] = token.split('.');
console.log('MQTT password (clientId = ' + deviceId + '):\n' + token + '\n');
console.log('header: ' + Buffer.from(header, 'base64url').toString());
console.log('claims: ' + Buffer.from(claims, 'base64url').toString());

// 3. Anyone holding the public key can check it; here node:crypto plays the platform.
const ok = verify('sha256', Buffer.from(header + '.' + claims), { key: createPublicKey(keys.publicKeyPem), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
console.log('signature verifies with node:crypto: ' + ok);
if (!ok) process.exitCode = 1;
