// ACA keeps a bounded number of executions per job (100; here the simulator keeps 2): with job
// reuse many containers' executions share one job's history, and a container whose execution
// fell out of it still answers inspect, wait and logs from what the daemon recorded.
import { describe, expect, it } from 'vitest';
import { acaConfigForSimulator, createAcaCloud } from '../../src/aca';
import { useTestDaemon } from '../helpers/daemon';

const d = useTestDaemon({ env: { SOCKERLESS_JOB_REUSE: 'on' }, simulator: { executionHistory: 2 } }, { pull: ['alpine'] });

type Aca = { State: { Status: string; ExitCode: number; Running: boolean }; Aca: { JobName: string; ExecutionName: string } };

describe('a shared job\'s bounded execution history', () => {
  it('containers whose executions ACA no longer lists answer inspect, wait and logs with their own end', async () => {
    const ids: string[] = [];
    for (let code = 1; code <= 5; code++) {
      const run = await d.cli(['run', '-d', 'alpine', 'sh', '-c', `echo run-${code}; exit ${code}`]);
      expect(run.code).toBe(0);
      ids.push(run.stdout.trim());
      expect((await d.cli(['wait', ids.at(-1)!])).stdout.trim()).toBe(String(code));
    }
    const infos = await Promise.all(ids.map(async (id) => (await d.docker.getContainer(id).inspect()) as unknown as Aca));
    const job = infos[0]!.Aca.JobName;
    expect(new Set(infos.map((i) => i.Aca.JobName))).toEqual(new Set([job]));
    // What ACA lists, through the Azure SDK client.
    const cloud = createAcaCloud(acaConfigForSimulator(d.running.simulator!));
    const listed = (await cloud.listExecutions(job)).map((e) => e.executionName);
    expect(listed).toHaveLength(2);
    const gone = infos.filter((i) => !listed.includes(i.Aca.ExecutionName));
    expect(gone).toHaveLength(3);
    for (const [n, id] of ids.entries()) {
      const info = infos[n]!;
      expect(info.State).toMatchObject({ Status: 'exited', ExitCode: n + 1, Running: false });
      // Answered again, after its execution left the list: the same code, and its own output.
      expect((await d.cli(['wait', id])).stdout.trim()).toBe(String(n + 1));
      expect((await d.cli(['logs', id])).stdout).toBe(`run-${n + 1}\n`);
      expect(((await d.docker.getContainer(id).inspect()) as unknown as Aca).Aca.ExecutionName).toBe(info.Aca.ExecutionName);
    }
    // A container whose last execution is gone starts again: a new execution, and its new end.
    const first = d.docker.getContainer(ids[0]!);
    await first.start();
    expect(await first.wait()).toMatchObject({ StatusCode: 1 });
    const again = (await first.inspect()) as unknown as Aca;
    expect(again.Aca.ExecutionName).not.toBe(infos[0]!.Aca.ExecutionName);
    expect((await d.cli(['logs', ids[0]!])).stdout).toBe('run-1\nrun-1\n');
  });
});
