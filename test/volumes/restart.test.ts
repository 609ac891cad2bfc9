// A named volume's data and its environment storage outlive a daemon restart on the same data root
// (the embedded simulator keeps its shares and registrations there).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { startDaemon, type RunningDaemon } from '../../src/start';

const exec = promisify(execFile);
let dir: string;
let running: RunningDaemon | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockerless-volrestart-'));
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<void> {
  running = await startDaemon({
    hosts: [`unix://${join(dir, 'docker.sock')}`], dataRoot: join(dir, 'data'), env: {}, logger: createLogger('warn'),
    simulator: { stopGraceMs: 2_000 },
  });
}

const docker = async (...args: string[]) =>
  (await exec('docker', args, { env: { ...process.env, DOCKER_HOST: `unix://${join(dir, 'docker.sock')}` } })).stdout;

it('data written before a restart is read after it, through the same share and storage', { timeout: 120_000 }, async () => {
  await start();
  await docker('volume', 'create', 'kept');
  await docker('run', '--rm', '-v', 'kept:/data', 'alpine', 'sh', '-c', 'echo before the restart > /data/f');
  const before = JSON.parse(await docker('volume', 'inspect', 'kept'))[0];
  await running!.close();
  running = undefined;

  await start();
  const after = JSON.parse(await docker('volume', 'inspect', 'kept'))[0];
  expect(after.Mountpoint).toBe(before.Mountpoint);
  const creates = running!.simulator!.stats().byOperation.ManagedEnvironmentsStorages_CreateOrUpdate ?? 0;
  expect(await docker('run', '--rm', '-v', 'kept:/data', 'alpine', 'cat', '/data/f')).toBe('before the restart\n');
  // The registration was kept: the restarted daemon checked it (GET) instead of making it again.
  expect(running!.simulator!.stats().byOperation.ManagedEnvironmentsStorages_CreateOrUpdate ?? 0).toBe(creates);
});
