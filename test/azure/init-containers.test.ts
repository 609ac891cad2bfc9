// Issue 15 rows 6 and 12: a job with an init container before the main one (as the agent's
// installer is injected on Azure), on the simulator's azure profile, the daemon without the agent
// (so output comes from Log Analytics and exit codes from ACA's execution view). The wrapped
// cloud adds an init container that prints and exits 0 to every job the daemon starts.
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { ClientSecretCredential } from '@azure/identity';
import { LogsQueryClient } from '@azure/monitor-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cloud, JobSpec } from '../../src/aca/cloud';
import type { Simulator } from '../../src/simulator';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

const INSTALLER = { name: 'installer', image: 'alpine', command: ['sh', '-c', 'echo installer-out; echo installer-err >&2'] };

const withInstaller = (spec: JobSpec): JobSpec => ({ ...spec, initContainers: [INSTALLER, ...(spec.initContainers ?? [])] });

function withInitContainer(cloud: Cloud): Cloud {
  return {
    ...cloud,
    runJob: (spec, signal) => cloud.runJob(withInstaller(spec), signal),
    putJob: (spec, signal) => cloud.putJob(withInstaller(spec), signal),
    startExecution: (spec, signal) => cloud.startExecution(withInstaller(spec), signal),
  };
}

/** The real SDK clients against the daemon's embedded simulator. */
function clientsOf(sim: Simulator) {
  const credential = new ClientSecretCredential(sim.tenantId, sim.clientId, sim.clientSecret, { authorityHost: sim.url, disableInstanceDiscovery: true, tlsOptions: { ca: sim.ca } });
  return {
    arm: new ContainerAppsAPIClient(credential, sim.subscriptionId, { endpoint: sim.url, tlsOptions: { ca: sim.ca } }),
    logs: new LogsQueryClient(credential, { endpoint: sim.url, tlsOptions: { ca: sim.ca } }),
  };
}

describe('a job whose init container runs first (azure profile, no agent)', () => {
  let d: TestDaemon;
  let clients: ReturnType<typeof clientsOf>;
  beforeAll(async () => {
    d = await startTestDaemon({
      // exitToTerminalMs 20 min at full scale: the execution's status lags its container by a minute here.
      simulator: { profile: 'azure', timeScale: 0.05, strictValidation: true, figures: { exitToTerminalMs: 1_200_000 } },
      env: { SOCKERLESS_AGENT: 'off' },
      wrapCloud: withInitContainer,
    });
    await d.cli(['pull', 'alpine']);
    clients = clientsOf(d.running.simulator!);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
  });

  const executionOf = async (id: string) => {
    const aca = (await d.docker.getContainer(id).inspect() as unknown as { Aca: { JobName: string; ExecutionName: string } }).Aca;
    return clients.arm.jobExecution(d.running.simulator!.resourceGroup, aca.JobName, aca.ExecutionName);
  };

  it('docker wait gives the main container\'s exit code although the init container is listed first with 0, before the status stops lagging (row 12)', async () => {
    const id = (await d.cli(['run', '-d', 'alpine', 'sh', '-c', 'exit 3'], { timeoutMs: 110_000 })).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const wait = await d.cli(['wait', id], { timeoutMs: 110_000 });
    expect(wait).toMatchObject({ code: 0, stdout: '3\n' });
    const execution = await executionOf(id);
    // What the daemon read: the init container first, the main one found by name, and the
    // execution itself still Running (its status lags the container by ACA's cleanup).
    expect(execution.status).toBe('Running');
    expect(execution.detailedStatus?.replicas?.[0]?.containers).toEqual([
      { name: 'installer', code: 0, status: 'Terminated', additionalInformation: 'Completed' },
      { name: 'main', code: 3, status: 'Terminated', additionalInformation: 'Error' },
    ]);
    expect((await d.docker.getContainer(id).inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 3 });
  }, 120_000);

  it('docker logs shows only the main container\'s lines, though the init container\'s are in the same table (row 6)', async () => {
    const run = await d.cli(['run', '--name', 'with-installer', 'alpine', 'sh', '-c', 'echo main-out; echo main-err >&2'], { timeoutMs: 110_000 });
    expect(run).toMatchObject({ code: 0, stdout: 'main-out\n', stderr: 'main-err\n' });
    const logs = await d.cli(['logs', 'with-installer']);
    expect(logs).toMatchObject({ code: 0, stdout: 'main-out\n', stderr: 'main-err\n' });
    // The installer's lines are there for anyone who asks for them, under its own container name.
    // (Its execution's rows only: with job reuse the job is shared with the other test's container.)
    const { Aca } = await d.docker.getContainer('with-installer').inspect() as unknown as { Aca: { JobName: string; ExecutionName: string } };
    const result = await clients.logs.queryWorkspace(
      d.running.simulator!.workspaceId,
      `ContainerAppConsoleLogs_CL | where ContainerJobName_s == "${Aca.JobName}" | where ContainerGroupName_s startswith "${Aca.ExecutionName}" | project ContainerName_s, Stream_s, Log_s`,
      { duration: 'PT1H' },
    );
    const rows = (result as { tables: Array<{ rows: unknown[][] }> }).tables[0]!.rows.map((r) => r.join(' '));
    expect(rows.sort()).toEqual(['installer stderr installer-err', 'installer stdout installer-out', 'main stderr main-err', 'main stdout main-out']);
  }, 120_000);
});
