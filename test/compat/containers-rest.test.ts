// The rest of the containers API through the docker CLI: update, prune, top and stats through the agent, and the clear 501s (diff, export, pause).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.close();
});

const hostConfig = async (name: string) => JSON.parse((await d.cli(['inspect', name])).stdout)[0].HostConfig;

describe('containers: update, prune, and what ACA cannot do', { timeout: 120_000 }, () => {
  it('update stores a restart policy; resources are refused while the job runs and, when stopped, stored with the ACA pair they round to', async () => {
    expect((await d.cli(['run', '-d', '--name', 'u1', 'alpine', 'sleep', '30'])).code).toBe(0);
    expect((await d.cli(['update', '--restart', 'on-failure:3', 'u1'])).code).toBe(0);
    expect((await hostConfig('u1')).RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    const running = await d.cli(['update', '--memory', '512m', 'u1']);
    expect(running.code).toBe(1);
    expect(running.stderr).toContain('cannot update the resources of a running container');
    expect((await hostConfig('u1')).Memory).not.toBe(512 * 1024 ** 2);
    expect((await d.cli(['stop', '-t', '1', 'u1'])).code).toBe(0);
    const stopped = await d.cli(['update', '--memory', '700m', '--memory-swap', '1g', 'u1']);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout + stopped.stderr).toContain('Azure Container Apps runs this container with 0.5 CPU and 1Gi memory');
    expect((await hostConfig('u1')).Memory).toBe(700 * 1024 ** 2);
    const rm = await d.cli(['run', '-d', '--rm', '--name', 'u2', 'alpine', 'sleep', '30']);
    expect(rm.code).toBe(0);
    expect((await d.cli(['update', '--restart', 'always', 'u2'])).stderr).toContain('AutoRemove is enabled');
    expect((await d.cli(['rm', '-f', 'u1', 'u2'])).code).toBe(0);
  });

  it('container prune removes stopped containers the filters pick and leaves running ones', async () => {
    await d.cli(['create', '--name', 'p-old', '--label', 'prune=yes', 'alpine', 'true']);
    await d.cli(['run', '--name', 'p-done', '--label', 'prune=yes', 'alpine', 'true']);
    await d.cli(['run', '--name', 'p-keep', '--label', 'prune=no', 'alpine', 'true']);
    await d.cli(['run', '-d', '--name', 'p-up', '--label', 'prune=yes', 'alpine', 'sleep', '30']);
    const pruned = await d.cli(['container', 'prune', '-f', '--filter', 'label=prune=yes']);
    expect(pruned.code).toBe(0);
    const names = (await d.cli(['ps', '-a', '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
    expect(names).toEqual(['p-keep', 'p-up']);
    expect((await d.cli(['container', 'prune', '-f', '--filter', 'until=1h'])).stdout).not.toContain('p-keep');
    expect((await d.cli(['rm', '-f', 'p-keep', 'p-up'])).code).toBe(0);
  });

  it('top and stats come from the agent; diff, export and pause answer with the reason ACA cannot serve them', async () => {
    await d.cli(['run', '-d', '--name', 'na', 'alpine', 'sleep', '30']);
    const top = await d.cli(['top', 'na']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('sleep 30');
    const stats = (await d.docker.getContainer('na').stats({ stream: false })) as unknown as { memory_stats: { limit: number; usage: number }; pids_stats: { current: number } };
    expect(stats.memory_stats.limit).toBe(2 * 1024 ** 3);
    expect(stats.memory_stats.usage).toBeGreaterThan(0);
    expect(stats.pids_stats.current).toBe(1);
    expect((await d.cli(['top', 'na', 'aux'])).stderr).toContain('top with ps options (aux) is not supported');
    expect((await d.cli(['diff', 'na'])).stderr).toContain('changes is not supported');
    expect((await d.cli(['export', '-o', join(tmpdir(), `sockerless-export-${process.pid}.tar`), 'na'])).stderr).toContain('export is not supported');
    expect((await d.cli(['pause', 'na'])).stderr).toContain('Azure Container Apps has no way to freeze');
    await d.cli(['rm', '-f', 'na']);
  });
});
