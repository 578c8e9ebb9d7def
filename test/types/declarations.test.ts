// The published declarations as a TypeScript project consumes them: test/types/consumer compiled with
// NodeNext, Node16 and Bundler resolution (strict, no skipLibCheck) against `akenza-device` resolved
// through package.json "exports" from node_modules, the README's examples passing and the mistakes in
// refused.ts refused (an unused @ts-expect-error is error TS2578). Needs dist/ (`npm test` builds it).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const MODES = ['nodenext', 'node16', 'bundler'];

function tsc(dir: string, config: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', join(dir, config), '--pretty', 'false'], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

describe('declarations in a consumer project', () => {
  let dir = '';
  beforeAll(() => {
    expect(existsSync(join(ROOT, 'dist', 'types', 'src', 'index.d.ts')), 'dist/types missing: run node scripts/build.mjs').toBe(true);
    dir = mkdtempSync(join(tmpdir(), 'akenza-types-'));
    cpSync(join(import.meta.dirname, 'consumer'), dir, { recursive: true });
    // installed as a dependency would be: node_modules/akenza-device is the package (this checkout)
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules', 'akenza-device'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const mode of MODES) {
    it(`compile under ${mode} resolution, every @ts-expect-error in refused.ts used`, async () => {
      const r = await tsc(dir, 'tsconfig.' + mode + '.json');
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    });
  }

  it('the check can fail: an unused @ts-expect-error and a typo in an event name are reported', async () => {
    writeFileSync(join(dir, 'control.ts'), [
      "import { createDevice } from 'akenza-device/node';",
      "const device = createDevice({ deviceId: 'd', credentials: { privateKey: 'PEM' } });",
      '// @ts-expect-error a correct line: the directive is unused',
      "device.on('connected', (e) => console.log(e.at));",
      "device.on('conected', () => {});",
      '',
    ].join('\n'));
    const config = JSON.parse(readFileSync(join(dir, 'tsconfig.nodenext.json'), 'utf8').replace(/^\/\/.*\n/, ''));
    writeFileSync(join(dir, 'tsconfig.control.json'), JSON.stringify({ ...config, files: ['control.ts'] }));
    const r = await tsc(dir, 'tsconfig.control.json');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/control\.ts\(3,1\): error TS2578/);
    expect(r.out).toMatch(/control\.ts\(5,11\): error TS2345: Argument of type '"conected"'/);
  });

  it('refused.ts holds the mistakes the issue names', () => {
    const text = readFileSync(join(import.meta.dirname, 'consumer', 'refused.ts'), 'utf8');
    expect(text.match(/\/\/ @ts-expect-error/g)!.length).toBeGreaterThanOrEqual(15);
    for (const mistake of ["device.on('conected'", 'd.subTopc', 'e.tokenExpiry', 'mqttUrl:', 'onConected:']) expect(text).toContain(mistake);
  });
});
