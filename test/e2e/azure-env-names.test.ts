// Issue 15 row 8: variable names Azure Container Apps refuses in a job's env (Java's
// spring.profiles.active) reach the process through the agent, and are refused at create where
// no agent runs, with Docker's 400 naming the variable.
import { describe, expect, it } from 'vitest';
import { carryRefusedEnv, CARRIED_ENV } from '../../src/daemon/env-names';
import { containerJob } from '../helpers/container-job';
import { useTestDaemon } from '../helpers/daemon';

type JobEnv = { properties?: { template?: { containers?: Array<{ env?: Array<{ name: string }> }> } } };
const envNamesOf = (job: unknown) => ((job as JobEnv).properties?.template?.containers?.[0]?.env ?? []).map((e) => e.name);

describe('with the agent', () => {
  const d = useTestDaemon(undefined, { pull: ['alpine'] });

  it('docker run -e spring.profiles.active=prod: the process sees it; the job\'s env does not carry the name', async () => {
    const run = await d.cli(['run', '--name', 'java-ish', '-e', 'spring.profiles.active=prod', '-e', 'my-var=1', '-e', 'PLAIN=ok', 'alpine', 'env']);
    // No shell in between: sh drops variables whose names are not shell identifiers.
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((l) => /^(spring|my-var|PLAIN)/.test(l)).sort()).toEqual(['PLAIN=ok', 'my-var=1', 'spring.profiles.active=prod']);
    const id = (await d.docker.getContainer('java-ish').inspect()).Id;
    const names = envNamesOf(await containerJob(d, id));
    expect(names).toContain('PLAIN');
    expect(names).toContain(CARRIED_ENV);
    expect(names.filter((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n))).toEqual([]);
    // Inspect shows the variable as Docker would.
    expect((await d.docker.getContainer('java-ish').inspect()).Config.Env).toContain('spring.profiles.active=prod');
  });
});

describe('without the agent', () => {
  const d = useTestDaemon({ env: { SOCKERLESS_AGENT: 'off' } }, { pull: ['alpine'] });

  it('docker create refuses the variable with a 400 naming it; valid names still create', async () => {
    const refused = await d.cli(['create', '-e', 'spring.profiles.active=prod', 'alpine', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/invalid environment variable name 'spring.profiles.active': Azure Container Apps accepts only names of letters, digits and '_'/);
    await expect(d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], Env: ['a.b=1'] })).rejects.toMatchObject({ statusCode: 400 });
    expect((await d.docker.listContainers({ all: true })).length).toBe(0);
    expect((await d.cli(['create', '-e', 'GOOD_NAME=1', 'alpine', 'true'])).code).toBe(0);
  });
});

describe('carryRefusedEnv', () => {
  it('moves refused names, secret ones included, into one secret and keeps the rest as they were', () => {
    const spec = carryRefusedEnv({
      jobName: 'j', containerId: 'c', image: 'alpine', cpu: 1, memory: '2Gi', replicaTimeout: 60,
      env: [{ name: 'A', value: '1' }, { name: 'x.y', value: '2' }, { name: 'db.password', secretRef: 'env-db-password' }, { name: 'TOKEN', secretRef: 'env-token' }],
      secrets: [{ name: 'env-db-password', value: 's3cret' }, { name: 'env-token', value: 't' }],
    });
    expect(spec.env).toEqual([{ name: 'A', value: '1' }, { name: 'TOKEN', secretRef: 'env-token' }, { name: CARRIED_ENV, secretRef: 'sockerless-carried-env' }]);
    expect(spec.secrets).toEqual([{ name: 'env-token', value: 't' }, { name: 'sockerless-carried-env', value: JSON.stringify({ 'x.y': '2', 'db.password': 's3cret' }) }]);
  });
});
