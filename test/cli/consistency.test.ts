// Issue 18, CLI consistency: --version/-v, exit codes exactly as docs/cli.md says (a malformed option
// value is 2, a refused input 1), `jwt --key -` from stdin, and keygen's key file mode 600 in every
// case (new file + rename: an old file's mode does not survive, a symlink is never followed).
import { createPrivateKey } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, nodeVerifyJwt } from '../helpers';
import { ROOT, runBin, runMain } from './run';

const dir = mkdtempSync(join(tmpdir(), 'akenza-cli-consistency-'));
const EC = join(FIXTURES, 'ec.pkcs8.pem');
const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

describe('--version', () => {
  it('--version and -v print package.json\'s version and exit 0, from the built bin and from main()', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runBin([flag]);
      expect(r, flag).toEqual({ code: 0, stdout: version + '\n', stderr: '' });
      expect(await runMain(flag)).toEqual({ code: 0, stdout: version + '\n', stderr: '' });
    }
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect((await runBin(['--help'])).stdout).toContain('--version (-v)');
  });
});

describe('exit codes follow docs/cli.md', () => {
  // [args, what]: each a malformed option value, so 2 with the command's usage on stderr.
  const usage: [string[], string][] = [
    [['jwt', '--key', EC, '--device', 'd1', '--lifetime', '0'], '--lifetime 0'],
    [['jwt', '--key', EC, '--device', 'd1', '--lifetime', '1h'], '--lifetime 1h'],
    [['jwt', '--key', EC, '--device', 'd1', '--lifetime', '86400'], '--lifetime beyond 86400 s from iat'],
    [['jwt', '--key', EC, '--device', 'bad id/x'], 'jwt --device with / and a space'],
    [['jwt', '--key', EC, '--device', 'd1', '--audience-base', 'ftp://x'], 'jwt --audience-base not http(s)'],
    [['cert', '--key', EC, '--device', 'bad id/x'], 'cert --device'],
    [['inspect', 'a.b.c', '--device', 'a#b'], 'inspect --device'],
    [['registry', 'add', '--registry', join(dir, 'r.json'), '--device', 'a b', '--key', join(FIXTURES, 'ec.pub.pem')], 'registry add --device'],
    [['registry', 'add', '--registry', join(dir, 'r.json'), '--device', 'd1', '--key', join(FIXTURES, 'ec.pub.pem'), '--expires', 'tomorrow'], 'registry add --expires'],
    [['registry', 'connector', '--registry', join(dir, 'r.json'), '--id', 'c 1', '--secret', 's'], 'registry connector --id'],
    [['registry', 'connector', '--registry', join(dir, 'r.json'), '--id', 'c1', '--secret', 's', '--device', 'x?y'], 'registry connector --device'],
    [['downlink', '--device', 'a/b', 'hi'], 'downlink --device'],
    [['downlink', '--device', 'd1', '--topic', 'a/#', 'hi'], 'downlink --topic with a wildcard'],
  ];
  it.each(usage)('%j (%s) exits 2 with the usage', async (args) => {
    const r = await runMain(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp('usage: akenza-device ' + args[0] + '\\b'));
    expect(r.stdout).toBe('');
  });

  it('a refused input stays 1: a certificate for another key, a missing key file, an unknown connector device', async () => {
    const other = await runMain('jwt', '--key', join(FIXTURES, 'ec.sec1.pem'), '--device', 'd1', '--cert', join(FIXTURES, 'rsa.cert.pem'));
    expect(other.code).toBe(1);
    expect((await runMain('jwt', '--key', join(dir, 'missing.pem'), '--device', 'd1')).code).toBe(1);
    const r = await runMain('registry', 'connector', '--registry', join(dir, 'r2.json'), '--id', 'c1', '--secret', 's', '--device', 'not-registered');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown device "not-registered"/);
    expect((await runMain('jwt', '--key', EC, '--device', 'd1', '--lifetime', '86340')).code).toBe(0); // the longest accepted
  });
});

describe('jwt --key -', () => {
  it('reads the private key from stdin, as inspect - reads the token', async () => {
    const r = await runBin(['jwt', '--key', '-', '--device', 'stdin-dev'], readFileSync(EC, 'utf8'));
    expect(r.code).toBe(0);
    const d = nodeVerifyJwt(r.stdout.trim(), readFileSync(join(FIXTURES, 'ec.pub.pem'), 'utf8'));
    expect(d.claims.aud).toBe('https://akenza.io/devices/stdin-dev');
    const empty = await runBin(['jwt', '--key', '-', '--device', 'stdin-dev'], '');
    expect(empty.code).toBe(1);
    expect(empty.stdout).toBe('');
  });
});

describe('keygen writes the private key with mode 600 in every case', () => {
  const mode = (p: string) => statSync(p).mode & 0o777;
  const leftovers = (d: string) => readdirSync(d).filter((f) => f.endsWith('.tmp'));

  it('a fresh key is 600, the public key 644', async () => {
    const d = mkdtempSync(join(dir, 'fresh-'));
    expect((await runMain('keygen', '--out', join(d, 'k'))).code).toBe(0);
    expect(mode(join(d, 'k.key.pem'))).toBe(0o600);
    expect(mode(join(d, 'k.pub.pem'))).toBe(0o644);
  });

  it('--force over an existing world-readable file: the new key is 600 (a new file, not the old one rewritten)', async () => {
    const d = mkdtempSync(join(dir, 'force-'));
    writeFileSync(join(d, 'k.key.pem'), 'old');
    chmodSync(join(d, 'k.key.pem'), 0o644);
    const before = statSync(join(d, 'k.key.pem')).ino;
    expect((await runMain('keygen', '--out', join(d, 'k'), '--force')).code).toBe(0);
    expect(mode(join(d, 'k.key.pem'))).toBe(0o600);
    expect(statSync(join(d, 'k.key.pem')).ino).not.toBe(before);
    expect(readFileSync(join(d, 'k.key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(leftovers(d)).toEqual([]);
  });

  it('a dangling symlink at the key path: refused without --force (exit 2); with --force replaced, never followed', async () => {
    const d = mkdtempSync(join(dir, 'dangling-'));
    const target = join(d, 'elsewhere.pem');
    symlinkSync(target, join(d, 'k.key.pem'));
    const r = await runMain('keygen', '--out', join(d, 'k'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exists; pass --force/);
    expect(readlinkSync(join(d, 'k.key.pem'))).toBe(target);
    expect((await runMain('keygen', '--out', join(d, 'k'), '--force')).code).toBe(0);
    expect(lstatSync(join(d, 'k.key.pem')).isSymbolicLink()).toBe(false);
    expect(mode(join(d, 'k.key.pem'))).toBe(0o600);
    expect(existsSync(target)).toBe(false); // the link's target was never created
    expect(leftovers(d)).toEqual([]);
  });

  it('a symlink to an existing file: --force replaces the link and leaves the file it pointed to as it was', async () => {
    const d = mkdtempSync(join(dir, 'link-'));
    const victim = join(d, 'victim.txt');
    writeFileSync(victim, 'keep me');
    chmodSync(victim, 0o644);
    symlinkSync(victim, join(d, 'k.key.pem'));
    expect((await runMain('keygen', '--out', join(d, 'k'), '--force')).code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    expect(mode(victim)).toBe(0o644);
    expect(lstatSync(join(d, 'k.key.pem')).isFile()).toBe(true);
    expect(mode(join(d, 'k.key.pem'))).toBe(0o600);
  });
});

describe('registry connector --secret-file', () => {
  const secretOf = (reg: string, id: string) => (JSON.parse(readFileSync(reg, 'utf8')).connectors as { id: string; uplinkSecret: string }[]).find((c) => c.id === id)!.uplinkSecret;

  it('reads the secret from a file (first line, no line end) or from stdin, never printing it', async () => {
    const reg = join(dir, 'secret-reg.json');
    const file = join(dir, 'secret.txt');
    writeFileSync(file, 'from-a-file-s3cr3t\r\nsecond line ignored\n');
    const a = await runMain('registry', 'connector', '--registry', reg, '--id', 'c-file', '--secret-file', file);
    expect(a.code).toBe(0);
    expect(secretOf(reg, 'c-file')).toBe('from-a-file-s3cr3t');
    expect(a.stdout + a.stderr).not.toContain('s3cr3t');
    const b = await runBin(['registry', 'connector', '--registry', reg, '--id', 'c-stdin', '--secret-file', '-'], 'from-stdin-s3cr3t\n');
    expect(b.code).toBe(0);
    expect(secretOf(reg, 'c-stdin')).toBe('from-stdin-s3cr3t');
    expect(b.stdout + b.stderr).not.toContain('s3cr3t');
  });

  it('--secret and --secret-file together, or an empty file, exit 2; a missing file exits 1', async () => {
    const reg = join(dir, 'secret-reg2.json');
    const file = join(dir, 'secret2.txt');
    writeFileSync(file, 'x\n');
    expect((await runMain('registry', 'connector', '--registry', reg, '--id', 'c1', '--secret', 's', '--secret-file', file)).code).toBe(2);
    writeFileSync(join(dir, 'empty.txt'), '\n');
    const empty = await runMain('registry', 'connector', '--registry', reg, '--id', 'c1', '--secret-file', join(dir, 'empty.txt'));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the first line is empty/);
    expect((await runMain('registry', 'connector', '--registry', reg, '--id', 'c1', '--secret-file', join(dir, 'nope.txt'))).code).toBe(1);
    expect(existsSync(reg)).toBe(false); // nothing written on a refusal
  });
});

describe('key files in DER, where the README says DER is accepted', () => {
  const der = (name: string, type: 'pkcs8' | 'sec1' | 'pkcs1') => {
    const f = join(dir, name);
    writeFileSync(f, createPrivateKey(readFileSync(join(FIXTURES, type === 'pkcs1' ? 'rsa.pkcs1.pem' : 'ec.pkcs8.pem'))).export({ format: 'der', type }));
    return f;
  };
  const files: [string, () => string, string][] = [
    ['EC PKCS#8 DER', () => der('ec.pkcs8.der', 'pkcs8'), 'ec.pub.pem'],
    ['EC SEC1 DER', () => der('ec.sec1.der', 'sec1'), 'ec.pub.pem'],
    ['EC SEC1 DER (fixture)', () => join(FIXTURES, 'ec.sec1.der'), 'ec.pub.pem'],
    ['raw 32-byte P-256 scalar', () => join(FIXTURES, 'ec.raw.bin'), 'ec.pub.pem'],
    ['RSA PKCS#1 DER', () => der('rsa.pkcs1.der', 'pkcs1'), 'rsa.pub.pem'],
  ];
  it.each(files)('%s: jwt mints a token its public key verifies, cert makes a certificate, inspect --key checks the signature', async (_, make, pub) => {
    const file = make();
    const j = await runMain('jwt', '--key', file, '--device', 'der-dev');
    expect(j.stderr).toBe('');
    expect(j.code).toBe(0);
    nodeVerifyJwt(j.stdout.trim(), readFileSync(join(FIXTURES, pub), 'utf8'));
    expect((await runMain('cert', '--key', file, '--device', 'der-dev')).code).toBe(0);
    const i = await runMain('inspect', j.stdout.trim(), '--key', file);
    expect(i.code).toBe(0);
    expect(i.stdout).toMatch(/ok +signature +signature verifies/);
  });

  it('a binary file that is no key is refused with exit 1, not read as text', async () => {
    const f = join(dir, 'junk.bin');
    writeFileSync(f, Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00, 0xff]));
    const r = await runMain('jwt', '--key', f, '--device', 'd1');
    expect(r.code).toBe(1);
  });
});

describe('encrypted private keys: --passphrase-file, never the passphrase on the command line', () => {
  const pass = join(dir, 'pass.txt');
  writeFileSync(pass, 'fixture\n');
  const wrong = join(dir, 'wrong-pass.txt');
  writeFileSync(wrong, 'not-it\n');
  const encDer = join(dir, 'ec.encrypted.der');
  writeFileSync(encDer, createPrivateKey(readFileSync(EC)).export({ format: 'der', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'fixture' }));
  const keys: [string, string, string][] = [
    ['encrypted PKCS#8 PEM', join(FIXTURES, 'ec.encrypted.pem'), 'ec.pub.pem'],
    ['encrypted PKCS#8 DER', encDer, 'ec.pub.pem'],
    ['legacy encrypted RSA PEM', join(FIXTURES, 'rsa.legacy-encrypted.pem'), 'rsa.pub.pem'],
  ];

  it.each(keys)('%s: jwt, cert and inspect --key decrypt it with the passphrase file', async (_, key, pub) => {
    const j = await runMain('jwt', '--key', key, '--device', 'enc-dev', '--passphrase-file', pass);
    expect(j.code).toBe(0);
    nodeVerifyJwt(j.stdout.trim(), readFileSync(join(FIXTURES, pub), 'utf8'));
    expect((await runMain('cert', '--key', key, '--device', 'enc-dev', '--passphrase-file', pass)).code).toBe(0);
    const i = await runMain('inspect', j.stdout.trim(), '--key', key, '--passphrase-file', pass);
    expect(i.code).toBe(0);
  });

  it('the passphrase from stdin; without it the error names the option; a wrong one exits 1 without printing it', async () => {
    const s = await runBin(['jwt', '--key', join(FIXTURES, 'ec.encrypted.pem'), '--device', 'enc-dev', '--passphrase-file', '-'], 'fixture\n');
    expect(s.code).toBe(0);
    const none = await runMain('jwt', '--key', join(FIXTURES, 'ec.encrypted.pem'), '--device', 'enc-dev');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/KEY_ENCRYPTED.*--passphrase-file FILE/);
    const bad = await runMain('cert', '--key', join(FIXTURES, 'ec.encrypted.pem'), '--device', 'enc-dev', '--passphrase-file', wrong);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot decrypt .*ec\.encrypted\.pem with the passphrase from /);
    expect(bad.stderr).not.toContain('not-it');
    expect((await runMain('jwt', '--key', '-', '--device', 'd', '--passphrase-file', '-')).code).toBe(2);
    expect((await runMain('inspect', 'a.b.c', '--passphrase-file', pass)).code).toBe(2);
    // there is no option that takes the passphrase itself
    expect((await runMain('jwt', '--key', join(FIXTURES, 'ec.encrypted.pem'), '--device', 'd', '--passphrase', 'fixture')).code).toBe(2);
  });
});
