// An interrupted start on a shared job (job reuse), after a daemon restart: the container's
// execution is the one whose template names it (SOCKERLESS_CONTAINER_ID, in every shared start,
// with or without an agent), so it is adopted, not started a second time; `agent` says whether
// that template carried the job's agent key.
import { describe, expect, it } from 'vitest';
import type { ContainerContext } from '../../machines/container';
import type { Cloud, ExecutionSummary, ManagedJob } from '../../src/aca/cloud';
import { startResumer, type RestoredContainers } from '../../src/daemon/persistence/restore';

const ID = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const JOB = 'sockerless-s-0123456789abcdef';

function restored(id: string, previous?: string): RestoredContainers {
  const context = { jobName: JOB, ...(previous && { execution: { jobName: JOB, executionName: previous, agent: false } }) } as unknown as ContainerContext;
  return { snapshot: undefined, containers: [{ id, context, value: { starting: 'sharing' } }], damaged: [] };
}

function cloudWith(executions: ExecutionSummary[]): Cloud {
  const jobs: ManagedJob[] = [{ jobName: JOB, shape: '0123456789abcdef' } as ManagedJob];
  return {
    listManagedJobs: async () => jobs,
    listExecutions: async (jobName: string) => (jobName === JOB ? executions : []),
  } as unknown as Cloud;
}

const execution = (name: string, containerId: string, envNames: string[]): ExecutionSummary => ({
  executionName: name, status: 'Running', envNames: ['SOCKERLESS_CONTAINER_ID', 'SOCKERLESS_CONTAINER_NAME', ...envNames], containerId,
});

const resume = (cloud: Cloud, r: RestoredContainers, id: string) => startResumer(cloud, r)(id)?.(new AbortController().signal);

describe('restore: an interrupted start on a shared job', () => {
  it('adopts an agent-less container\'s execution by the id its template carries (agent: false), among other containers\' newer ones', async () => {
    const cloud = cloudWith([execution(`${JOB}-x3`, OTHER, []), execution(`${JOB}-x2`, ID, ['PATH']), execution(`${JOB}-x1`, OTHER, [])]);
    expect(await resume(cloud, restored(ID), ID)).toEqual({ jobName: JOB, executionName: `${JOB}-x2`, agent: false });
  });

  it('says agent: true only when the template carried the job\'s agent key', async () => {
    const cloud = cloudWith([execution(`${JOB}-x2`, ID, ['SOCKERLESS_CALLBACK_URL', 'SOCKERLESS_AGENT_KEY', 'SOCKERLESS_AGENT_NONCE'])]);
    expect(await resume(cloud, restored(ID), ID)).toEqual({ jobName: JOB, executionName: `${JOB}-x2`, agent: true });
  });

  it('adopts nothing when only the previous execution, or other containers\' executions, are there: the start is made again', async () => {
    const cloud = cloudWith([execution(`${JOB}-x3`, OTHER, []), execution(`${JOB}-x1`, ID, [])]);
    expect(await resume(cloud, restored(ID, `${JOB}-x1`), ID)).toBeUndefined();
  });

  it('is asked once per container: a later start is a new one', async () => {
    const cloud = cloudWith([execution(`${JOB}-x2`, ID, [])]);
    const resumer = startResumer(cloud, restored(ID));
    expect(await resumer(ID)?.(new AbortController().signal)).toMatchObject({ executionName: `${JOB}-x2` });
    expect(resumer(ID)).toBeUndefined();
  });
});
