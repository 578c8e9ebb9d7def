// examples/ci: runs the `run:` steps of the example workflow (.github/workflows/firmware.yml) after its
// Install step, in order, with bash, as GitHub Actions would (job env, working directory, RUNNER_TEMP,
// `if: always()` cleanup), then checks the uplinks the mock recorded independently of the workflow's check.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'ci');
const workflowText = readFileSync(join(example, '.github', 'workflows', 'firmware.yml'), 'utf8');

interface Step { name: string; run?: string; always: boolean; workingDirectory?: string }

/** The steps of the workflow's single job: enough YAML for this file (block `run: |` scalars, one-line values). */
function parseSteps(text: string): { steps: Step[]; env: { [k: string]: string }; workingDirectory: string } {
  const lines = text.split('\n');
  const steps: Step[] = [];
  const env: { [k: string]: string } = {};
  let workingDirectory = '.';
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const top = /^ {4}(\w[\w-]*):\s*$/.exec(line); // a job-level key (env:, steps:, defaults:)
    if (top) section = top[1];
    const wd = /^ {8}working-directory: ([^\s#]+)/.exec(line);
    if (section === 'defaults' && wd) workingDirectory = wd[1];
    const e = /^ {6}(\w+): (.+)$/.exec(line);
    if (section === 'env' && e) env[e[1]] = e[2].trim();
    const start = /^ {6}- (name|uses): (.+)$/.exec(line);
    if (section === 'steps' && start) steps.push({ name: start[1] === 'name' ? start[2] : 'uses ' + start[2], always: false });
    const step = steps[steps.length - 1];
    if (section !== 'steps' || !step) continue;
    if (/^ {8}if: always\(\)/.test(line)) step.always = true;
    const swd = /^ {8}working-directory: (\S+)/.exec(line);
    if (swd) step.workingDirectory = swd[1];
    const run = /^ {8}run: (.*)$/.exec(line);
    if (run && run[1] !== '|') step.run = run[1];
    else if (run) {
      const body: string[] = [];
      while (i + 1 < lines.length && (/^ {10}/.test(lines[i + 1]) || lines[i + 1].trim() === '')) body.push(lines[++i].slice(10));
      step.run = body.join('\n').trimEnd() + '\n';
    }
  }
  return { steps, env, workingDirectory };
}

/** As spawnSync, but leaves this process's event loop running (the mock in it must answer). */
function run(cmd: string, args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('examples/ci workflow', () => {
  const wf = parseSteps(workflowText);

  it('has the steps the README describes: install, key + registry, mock, firmware in QuickJS, check, stop', () => {
    expect(wf.steps.map((s) => s.name)).toEqual([
      'uses actions/checkout@v4', 'uses actions/setup-node@v4', 'Install',
      'Make a device key and register it with the mock', 'Start the mock cloud', 'Run the firmware in QuickJS',
      'Check the uplinks the mock recorded', 'Stop the mock cloud',
    ]);
    expect(wf.workingDirectory).toBe('examples/ci');
    expect(wf.env).toEqual({ DEVICE_ID: 'ci-device-1', MQTT_PORT: '1883' });
    expect(wf.steps.find((s) => s.name === 'Start the mock cloud')!.run).toMatch(/npx akenza-device mock --registry .* --uplinks-out /);
    expect(wf.steps[wf.steps.length - 1].always).toBe(true);
  });

  it('its steps after Install pass here, and the mock recorded the firmware\'s readings and alarm', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'ci-example-'));
    // The job's env, but a free MQTT port: other tests may be using 1883 on this machine.
    const env = { ...process.env, ...wf.env, MQTT_PORT: String(await freePort()), RUNNER_TEMP: temp };
    const afterInstall = wf.steps.slice(wf.steps.findIndex((s) => s.name === 'Install') + 1);
    const results: { name: string; status: number | null; out: string }[] = [];
    let failed = false;
    for (const step of afterInstall) {
      if (failed && !step.always) continue;
      const r = spawnSync('bash', ['-e', '-c', step.run as string], { cwd: join(root, step.workingDirectory || wf.workingDirectory), env, encoding: 'utf8', timeout: 90_000 });
      results.push({ name: step.name, status: r.status, out: r.stdout + r.stderr });
      if (r.status !== 0) failed = true;
    }
    expect(results.map((r) => [r.name, r.status]), results.map((r) => `--- ${r.name}\n${r.out}`).join('\n')).toEqual(afterInstall.map((s) => [s.name, 0]));
    expect(results.find((r) => r.name === 'Run the firmware in QuickJS')!.out).toContain('[firmware] sent 5 readings');
    expect(results.find((r) => r.name === 'Check the uplinks the mock recorded')!.out).toContain('all uplink checks passed');
    expect(results.find((r) => r.name === 'Stop the mock cloud')!.out).toContain('mock cloud stopped');

    const uplinks = readFileSync(join(temp, 'uplinks.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(uplinks.map((u) => [u.deviceId, u.transport, u.topic, u.payload.temperature])).toEqual([
      ['ci-device-1', 'mqtt', 'environment', 21], ['ci-device-1', 'mqtt', 'environment', 21.4], ['ci-device-1', 'mqtt', 'environment', 22.1],
      ['ci-device-1', 'mqtt', 'environment', 27.8], ['ci-device-1', 'mqtt', 'alarms', 27.8], ['ci-device-1', 'mqtt', 'environment', 22],
    ]);

    // The workflow's check can fail: a recording without the alarm is refused.
    const noAlarm = join(temp, 'no-alarm.jsonl');
    writeFileSync(noAlarm, uplinks.filter((u) => u.topic !== 'alarms').map((u) => JSON.stringify(u)).join('\n') + '\n');
    const bad = spawnSync('node', ['check-uplinks.mjs', noAlarm, '--device', 'ci-device-1'], { cwd: example, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/FAIL one alarm, for 27\.8/);
  }, 180_000);

  it('the runner exits 1 when the firmware cannot finish (here: a device the mock does not know)', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'ci-example-'));
    const { startMockCloud } = await import('../../src/mock/index');
    const cloud = await startMockCloud({ registry: { devices: [], connectors: [] } });
    try {
      const keygen = spawnSync('npx', ['akenza-device', 'keygen', '--alg', 'ES256', '--out', join(temp, 'device')], { cwd: example, encoding: 'utf8' });
      expect(keygen.status).toBe(0);
      const r = await run('node', ['run-quickjs.mjs', 'firmware/main.js', '--device', 'unknown-1', '--key', join(temp, 'device.key.pem'), '--mqtt', `mqtt://127.0.0.1:${cloud.mqttPort}`, '--timeout', '3'], example);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('[firmware] credentials refused, CONNACK 5');
      expect(r.stderr).toContain('did not call exit() within 3 s');
      expect(cloud.uplinks.length).toBe(0);
    } finally {
      await cloud.close();
    }
  });
});
