import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acaConfigForSimulator } from '../../src/aca/connect';
import { environmentFacts, readEnvironment, withEnvironment } from '../../src/aca/environment';
import { jobResource } from '../../src/aca/job-resource';
import { acaResources, CONSUMPTION_ONLY, limitsForEnvironment, ResourceRangeError } from '../../src/daemon/cpu-memory-pairs';
import { startSimulator, type Simulator } from '../../src/simulator/index';

describe('the managed environment, read once at start (real ARM client on the simulator)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ latency: 'instant', location: 'westeurope' });
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('gives its region, log destination, workspace and workload profiles', async () => {
    const facts = await readEnvironment(acaConfigForSimulator(sim));
    expect(facts).toEqual({
      location: 'westeurope',
      logDestination: 'log-analytics',
      workspaceId: sim.workspaceId,
      workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
    });
  });

  it('takes the location from the environment when none is configured, so jobs are created in its region', async () => {
    const config = { ...acaConfigForSimulator(sim), location: '', workspaceId: undefined };
    const applied = withEnvironment(config, await readEnvironment(config));
    expect(applied).toMatchObject({ location: 'westeurope', workspaceId: sim.workspaceId, logDestination: 'log-analytics' });
    const job = jobResource(applied, { jobName: 'j', containerId: 'c', image: 'alpine', env: [], cpu: 1, memory: '2Gi', replicaTimeout: 60 });
    expect(job.location).toBe('westeurope');
  });

  it('refuses a configured location in another region, naming both and the remedy', async () => {
    const config = { ...acaConfigForSimulator(sim), location: 'eastus' };
    expect(() => withEnvironment(config, { location: 'westeurope', logDestination: 'log-analytics' })).toThrow(
      /SOCKERLESS_ACA_LOCATION is eastus, but environment .* is in westeurope.*unset SOCKERLESS_ACA_LOCATION/,
    );
    // The same region spelled as the portal does is the same region.
    expect(withEnvironment({ ...config, location: 'West Europe' }, { location: 'westeurope', logDestination: 'log-analytics' }).location).toBe('westeurope');
  });

  it('names a missing environment', async () => {
    await expect(readEnvironment({ ...acaConfigForSimulator(sim), environment: 'nope' })).rejects.toThrow(/read the managed environment nope failed/);
  });
});

describe('environmentFacts', () => {
  it('knows the azure-monitor destination, none, and a destination it is not told', () => {
    expect(environmentFacts({ location: 'eastus', appLogsConfiguration: { destination: 'azure-monitor' } })).toEqual({ location: 'eastus', logDestination: 'azure-monitor' });
    expect(environmentFacts({ location: 'eastus', appLogsConfiguration: { destination: 'none' } }).logDestination).toBe('none');
    expect(environmentFacts({ location: 'eastus' }).logDestination).toBe('unknown');
  });

  it('has no workload profiles for a Consumption-only environment', () => {
    expect(environmentFacts({ location: 'eastus', workloadProfiles: [] }).workloadProfiles).toBeUndefined();
  });
});

describe('limitsForEnvironment', () => {
  it('stops a Consumption-only environment at 2 CPU / 4Gi, with no workload profile named', () => {
    const limits = limitsForEnvironment(undefined);
    expect(limits).toBe(CONSUMPTION_ONLY);
    expect(acaResources({ NanoCpus: 2e9 }, { cpu: 1, memory: '2Gi' }, limits).pair).toEqual({ cpu: 2, memory: '4Gi' });
    expect(() => acaResources({ NanoCpus: 3e9 }, { cpu: 1, memory: '2Gi' }, limits)).toThrow(/0.25 to 2 CPUs.*workload profiles; 3 CPUs were asked/);
    expect(() => acaResources({ Memory: 8 * 1024 ** 3 }, { cpu: 1, memory: '2Gi' }, limits)).toThrow(ResourceRangeError);
  });

  it('gives the Consumption profile 4 CPU / 8Gi and names it on the job', () => {
    const limits = limitsForEnvironment([{ name: 'Consumption', workloadProfileType: 'Consumption' }, { name: 'big', workloadProfileType: 'D8' }]);
    expect(limits).toMatchObject({ maxSteps: 16, workloadProfileName: 'Consumption' });
    expect(acaResources({ NanoCpus: 4e9 }, { cpu: 1, memory: '2Gi' }, limits).pair).toEqual({ cpu: 4, memory: '8Gi' });
  });

  it('sizes a chosen dedicated profile from its type', () => {
    const profiles = [{ name: 'Consumption', workloadProfileType: 'Consumption' }, { name: 'big', workloadProfileType: 'D8' }];
    const limits = limitsForEnvironment(profiles, 'big');
    expect(limits).toMatchObject({ maxSteps: 32, workloadProfileName: 'big' });
    expect(acaResources({ NanoCpus: 6e9 }, { cpu: 1, memory: '2Gi' }, limits).pair).toEqual({ cpu: 6, memory: '12Gi' });
    expect(() => acaResources({ NanoCpus: 9e9 }, { cpu: 1, memory: '2Gi' }, limits)).toThrow(/workload profile big, D8.*0.25 to 8 CPUs/);
  });

  it('refuses a profile the environment lacks, or a profile asked of a Consumption-only environment', () => {
    expect(() => limitsForEnvironment([{ name: 'Consumption', workloadProfileType: 'Consumption' }], 'gpu')).toThrow(/names no workload profile.*Consumption/);
    expect(() => limitsForEnvironment(undefined, 'Consumption')).toThrow(/no workload profiles/);
    expect(() => limitsForEnvironment([{ name: 'g', workloadProfileType: 'NC24-A100' }])).toThrow(/no Consumption workload profile/);
  });
});
