// Issue 9's acceptance through the docker CLI and dockerode: resources mapped to ACA pairs,
// restart policies, secrets, and private registry credentials, checked in the simulator too.
import { request } from 'node:https';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerJob } from '../helpers/container-job';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

/** A registry the simulator treats as private; nothing listens there (pulls are metadata only). */
const PRIVATE = '127.0.0.1:9';
const SECRET_VALUE = 's3cr3t-value-4711';
const REGISTRY_PASSWORD = 'registry-pw-0815';

let d: TestDaemon;
const logLines: string[] = [];
beforeAll(async () => {
  d = await startTestDaemon({
    simulator: { privateRegistries: [{ server: PRIVATE, username: 'alice', password: REGISTRY_PASSWORD }] },
    // Everything the daemon and the simulator log, down to trace, to look for secrets in.
    logger: pino({ level: 'trace', base: undefined }, { write: (line: string) => void logLines.push(line) }),
  });
});
afterAll(async () => {
  await d?.close();
});

const inspect = async (name: string) => JSON.parse((await d.cli(['inspect', name])).stdout)[0];
type Job = {
  identity?: unknown;
  properties: {
    configuration: { secrets?: Array<{ name: string; value?: string }>; registries?: Array<Record<string, string>> };
    template: { containers: Array<{ env: Array<{ name: string; value?: string; secretRef?: string }>; resources: { cpu: number; memory: string } }> };
  };
};
/** The container's job, with the template its current execution ran (its own, or a shared job's Jobs_Start template). */
const jobOf = (id: string) => containerJob<Job>(d, id);

/** The simulator's own view of every job and execution (`/_simulator/jobs`). */
function simulatorJobs(): Promise<string> {
  const sim = d.running.simulator!;
  return new Promise((resolve, reject) => {
    request(`${sim.url}/_simulator/jobs`, { ca: sim.ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject).end();
  });
}

/** Polls until `test` holds (no timing is asserted; the limit only ends a hung test). */
async function until<T>(read: () => Promise<T>, test: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 900; i++) {
    const v = await read();
    if (test(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('resources: the smallest ACA pair that covers the limits', { timeout: 120_000 }, () => {
  it('--cpus 0.3 -m 700m runs with 0.5 CPU / 1Gi, warns once, and inspect shows both', async () => {
    const r = await d.cli(['run', '--name', 'res', '--cpus', '0.3', '-m', '700m', 'alpine', 'true']);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/0\.5 CPU and 1Gi memory/g)).toHaveLength(1);
    const info = await inspect('res');
    expect(info.HostConfig).toMatchObject({ NanoCpus: 300_000_000, Memory: 700 * 1024 ** 2 });
    expect(info.Aca).toMatchObject({ Cpu: 0.5, Memory: '1Gi' });
    expect((await jobOf(info.Id)).properties.template.containers[0]!.resources).toEqual({ cpu: 0.5, memory: '1Gi' });
  });

  it('no limits: the default pair, and no warning', async () => {
    const r = await d.cli(['run', '--name', 'nolimits', 'alpine', 'true']);
    expect(r.stderr).toBe('');
    expect((await jobOf((await inspect('nolimits')).Id)).properties.template.containers[0]!.resources).toEqual({ cpu: 1, memory: '2Gi' });
  });

  it('--cpus 9 is refused with 400 naming the allowed range, and nothing is created', async () => {
    const r = await d.cli(['run', '--name', 'toobig', '--cpus', '9', 'alpine', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('0.25 to 4 CPUs');
    const created = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { Memory: 9 * 1024 ** 3 } }).catch((e) => e);
    expect(created.statusCode).toBe(400);
    expect((await d.cli(['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toContain('toobig');
  });

  it('docker update of a stopped container rounds the same way for its next job', async () => {
    expect((await d.cli(['create', '--name', 'upd', 'alpine', 'true'])).code).toBe(0);
    const u = await d.cli(['update', '--cpus', '1.1', 'upd']);
    expect(u.code).toBe(0);
    expect(u.stdout + u.stderr).toContain('1.25 CPU and 2.5Gi memory');
    expect((await d.cli(['start', 'upd'])).code).toBe(0);
    expect((await jobOf((await inspect('upd')).Id)).properties.template.containers[0]!.resources).toEqual({ cpu: 1.25, memory: '2.5Gi' });
    expect((await d.cli(['update', '--cpus', '5', 'upd'])).stderr).toContain('0.25 to 4 CPUs');
  });
});

describe('restart policies', { timeout: 120_000 }, () => {
  it('--restart on-failure:2 runs three times, then stays exited with RestartCount 2', async () => {
    const r = await d.cli(['run', '--name', 'flaky', '--restart', 'on-failure:2', 'alpine', 'sh', '-c', 'echo run; exit 1']);
    expect(r.code).toBe(1);
    const done = await until(() => inspect('flaky'), (i) => i.State.Status === 'exited' && i.RestartCount === 2, 'the third exit');
    expect(done.State.ExitCode).toBe(1);
    expect(done.HostConfig.RestartPolicy).toEqual({ Name: 'on-failure', MaximumRetryCount: 2 });
    const logs = await until(() => d.cli(['logs', 'flaky']), (l) => l.stdout.split('\n').filter(Boolean).length >= 3, 'the logs of three runs');
    expect(logs.stdout).toBe('run\nrun\nrun\n');
    const events = await d.cli(['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'container=flaky', '--format', '{{.Action}}']);
    expect(events.stdout.split('\n').filter((a) => a === 'restart')).toHaveLength(2);
  });

  it('--restart always with docker stop stays stopped', async () => {
    expect((await d.cli(['run', '-d', '--name', 'forever', '--restart', 'always', 'alpine', 'sleep', '30'])).code).toBe(0);
    expect((await d.cli(['stop', '-t', '1', 'forever'])).code).toBe(0);
    const info = await inspect('forever');
    expect(info.State.Status).toBe('exited');
    // Long enough for several back-offs had the policy fired: still exited, never restarted.
    await new Promise((r) => setTimeout(r, 500));
    expect((await inspect('forever')).State.Status).toBe('exited');
    expect((await inspect('forever')).RestartCount).toBe(0);
  });

  it('docker update --restart changes the policy; --rm with --restart is refused', async () => {
    expect((await d.cli(['create', '--name', 'pol', 'alpine', 'sh', '-c', 'exit 3'])).code).toBe(0);
    expect((await d.cli(['update', '--restart', 'on-failure:1', 'pol'])).code).toBe(0);
    expect((await d.cli(['start', 'pol'])).code).toBe(0);
    const done = await until(() => inspect('pol'), (i) => i.State.Status === 'exited' && i.RestartCount === 1, 'the restart');
    expect(done.State.ExitCode).toBe(3);
    const bad = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }).catch((e) => e);
    expect(bad.statusCode).toBe(400);
    const unknown = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'sometimes' } } }).catch((e) => e);
    expect(unknown.statusCode).toBe(400);
  });
});

describe('secrets', { timeout: 120_000 }, () => {
  it('-e DB_PASSWORD=… reaches the process, is a secretRef in the job, masked in inspect, and in no log', async () => {
    const r = await d.cli(['run', '--name', 'sec', '-e', `DB_PASSWORD=${SECRET_VALUE}`, '-e', 'PLAIN=visible', 'alpine', 'sh', '-c', 'echo "$DB_PASSWORD $PLAIN"']);
    expect(r.stdout).toBe(`${SECRET_VALUE} visible\n`);
    const info = await inspect('sec');
    expect(info.Config.Env).toContain('DB_PASSWORD=******');
    expect(info.Config.Env).toContain('PLAIN=visible');
    const job = await jobOf(info.Id);
    const env = job.properties.template.containers[0]!.env;
    expect(env.find((e) => e.name === 'DB_PASSWORD')).toEqual({ name: 'DB_PASSWORD', secretRef: 'env-db-password' });
    expect(env.find((e) => e.name === 'PLAIN')).toEqual({ name: 'PLAIN', value: 'visible' });
    // The agent's token is a secret too.
    expect(env.find((e) => e.name === 'SOCKERLESS_AGENT_TOKEN')).toHaveProperty('secretRef');
    expect(JSON.stringify(job)).not.toContain(SECRET_VALUE);
    const admin = await simulatorJobs();
    expect(admin).toContain('env-db-password');
    expect(admin).not.toContain(SECRET_VALUE);
    expect(logLines.join('\n')).not.toContain(SECRET_VALUE);
  });
});

describe('private registries', { timeout: 120_000 }, () => {
  const image = `${PRIVATE}/team/app:1`;
  // On the azure profile ACA refuses the image while provisioning the job (the PUT is accepted and
  // its operation fails: the job's start fails for good); on instant the execution's pull fails.
  const azure = process.env.SOCKERLESS_SIM_PROFILE === 'azure';
  const unauthorized = azure ? `Invalid value: "${image}": GET https:?scope=repository%3Ateam/app%3Apull&service=${PRIVATE}: UNAUTHORIZED: authentication required` : '401 Unauthorized';

  it('without credentials the run fails, saying the image could not be pulled', async () => {
    const r = await d.cli(['run', '--name', 'nocreds', image, 'echo', 'hi']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(azure ? unauthorized : 'ImagePullFailure');
    expect(r.stdout).toBe('');
    expect((await inspect('nocreds')).State.Error).toContain(azure ? unauthorized : `Failed to pull image "${image}"`);
  });

  it('with X-Registry-Auth on create (dockerode) the job carries a registries entry and runs', async () => {
    const authconfig = { username: 'alice', password: REGISTRY_PASSWORD, serveraddress: PRIVATE };
    const c = await d.docker.createContainer({ Image: image, Cmd: ['echo', 'pulled'], authconfig } as never);
    await c.start();
    expect((await c.wait()).StatusCode).toBe(0);
    const job = await jobOf(c.id);
    expect(job.properties.configuration.registries).toEqual([{ server: PRIVATE, username: 'alice', passwordSecretRef: 'registry-127-0-0-1-9' }]);
    expect(JSON.stringify(job)).not.toContain(REGISTRY_PASSWORD);
    const wrong = await d.docker.createContainer({ Image: image, Cmd: ['true'], authconfig: { ...authconfig, password: 'nope' } } as never);
    // The image cannot be pulled, so the command never runs: start itself says why.
    const refused = await wrong.start().catch((e) => e);
    expect(refused).toMatchObject({ statusCode: 500, json: { message: expect.stringContaining(unauthorized) } });
    expect(await wrong.wait()).toMatchObject({ StatusCode: azure ? 128 : 1, Error: { Message: expect.stringContaining(unauthorized) } });
  });

  it('after docker login, docker run of a private image runs', async () => {
    const login = await d.cli(['login', PRIVATE, '-u', 'alice', '--password-stdin'], { input: REGISTRY_PASSWORD });
    expect(login.code).toBe(0);
    const r = await d.cli(['run', '--rm', `${PRIVATE}/team/app:2`, 'echo', 'logged in']);
    expect(r.stdout).toBe('logged in\n');
    expect(r.code).toBe(0);
    expect(logLines.join('\n')).not.toContain(REGISTRY_PASSWORD);
  });
});
