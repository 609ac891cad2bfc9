// Issue 15 row 16: a daemon configured from SOCKERLESS_ACA_* (here against a standalone simulator
// in westeurope, as `npm run simulator` serves one) takes the region from its environment.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { startSimulator, type Simulator } from '../../src/simulator/index';
import { startDaemon } from '../../src/start';

describe('the location comes from the environment', () => {
  let sim: Simulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sim = await startSimulator({ location: 'westeurope', stopGraceMs: 2000 });
    dir = await mkdtemp(join(tmpdir(), 'sockerless-location-'));
    await writeFile(join(dir, 'ca.pem'), sim.ca);
    env = {
      SOCKERLESS_ACA_SUBSCRIPTION_ID: sim.subscriptionId,
      SOCKERLESS_ACA_RESOURCE_GROUP: sim.resourceGroup,
      SOCKERLESS_ACA_ENVIRONMENT: sim.environment,
      SOCKERLESS_ACA_ENDPOINT: sim.url,
      SOCKERLESS_ACA_CA_FILE: join(dir, 'ca.pem'),
      AZURE_TENANT_ID: sim.tenantId,
      AZURE_CLIENT_ID: sim.clientId,
      AZURE_CLIENT_SECRET: sim.clientSecret,
      SOCKERLESS_AGENT: 'off',
    };
  });
  afterAll(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('without SOCKERLESS_ACA_LOCATION, jobs are created in the environment\'s region (and its workspace serves logs)', async () => {
    const socket = join(dir, 'a.sock');
    const running = await startDaemon({ hosts: [`unix://${socket}`], dataRoot: join(dir, 'a'), env, logger: createLogger('warn') });
    try {
      expect(running.target).toContain('westeurope');
      const docker = new Docker({ socketPath: socket });
      await new Promise<void>((resolve, reject) => docker.pull('alpine', (err: unknown, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e: unknown) => (e ? reject(e) : resolve())))));
      const container = await docker.createContainer({ Image: 'alpine', Cmd: ['echo', 'here'] });
      await container.start();
      expect(await container.wait()).toMatchObject({ StatusCode: 0 });
      // Its own job or, with job reuse, its shape's shared job: inspect names it.
      const { Aca } = (await container.inspect()) as unknown as { Aca: { JobName: string } };
      const job = sim.job(Aca.JobName) as { location: string };
      expect(job.location).toBe('westeurope');
      // No SOCKERLESS_ACA_LOG_ANALYTICS_WORKSPACE: the environment's own workspace is read.
      const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
      expect(logs.toString('latin1')).toContain('here\n');
    } finally {
      await running.close();
    }
  }, 60_000);

  it('refuses to start when SOCKERLESS_ACA_LOCATION names another region', async () => {
    await expect(startDaemon({ hosts: [`unix://${join(dir, 'b.sock')}`], dataRoot: join(dir, 'b'), env: { ...env, SOCKERLESS_ACA_LOCATION: 'eastus' }, logger: createLogger('silent') }))
      .rejects.toThrow(/SOCKERLESS_ACA_LOCATION is eastus, but environment .* is in westeurope/);
  });
});
