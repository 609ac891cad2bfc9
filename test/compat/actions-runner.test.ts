// Issue 24: the GitHub Actions runner's exact docker CLI sequence for a job with one `container:`
// and one `services:` entry, arguments built as actions/runner builds them
// (src/Runner.Worker/Container/DockerCommandManager.cs, ContainerOperationProvider.cs,
// Handlers/ScriptHandler.cs, StepHost.cs). The runner's work folder is mapped to a share
// (SOCKERLESS_BIND_VOLUMES), which on the simulator is that folder itself.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { run } from './tools';

/** The runner's instance label: the first 6 hex digits of the sha256 of its .runner file. */
const LABEL = 'a1b2c3';
const REPO = 'octo';

let d: TestDaemon;
let root: string;
let work: string;
let externals: string;

const guid = () => randomUUID().replaceAll('-', '');
const ok = async (args: string[], input?: string) => {
  const r = await d.cli(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '');
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sockerless-runner-'));
  work = join(root, '_work');
  externals = join(root, 'externals');
  for (const dir of [join(work, REPO, REPO), join(work, '_temp', '_github_home'), join(work, '_temp', '_github_workflow'), join(work, '_actions'), join(work, '_tool'), externals]) {
    await mkdir(dir, { recursive: true });
  }
  d = await startTestDaemon({ env: { SOCKERLESS_BIND_VOLUMES: `${work}=runner-work,${externals}=runner-externals` } });
  // The service's image: a HEALTHCHECK and a server, as `services:` images bring them.
  const ctx = join(root, 'svc');
  await mkdir(ctx);
  await writeFile(
    join(ctx, 'Dockerfile'),
    [
      'FROM alpine',
      'HEALTHCHECK --interval=1s --timeout=5s --retries=30 CMD ["sh", "-c", "test -f /tmp/up"]',
      'CMD ["sh", "-c", "mkdir -p /www && echo pong >/www/index.html && touch /tmp/up && exec busybox httpd -f -p 8080 -h /www"]',
      '',
    ].join('\n'),
  );
  await ok(['build', '-t', 'runner-svc:1', ctx]);
}, 180_000);
afterAll(async () => {
  await d?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** One `run:` step: the script written into the host's temp folder, run with `docker exec` (ScriptHandler, StepHost). */
async function step(jobId: string, script: string, env: Record<string, string>) {
  const name = `${randomUUID()}.sh`;
  await writeFile(join(work, '_temp', name), script);
  const envArgs = Object.keys(env).flatMap((k) => ['-e', k]);
  // `-e NAME` without a value: the CLI takes the value from its own environment, as the runner passes it.
  return run('docker', ['exec', '-i', '--workdir', `/__w/${REPO}/${REPO}`, ...envArgs, jobId, 'sh', '-e', `/__w/_temp/${name}`], {
    input: '',
    env: { ...env, HOME: root, DOCKER_HOST: `unix://${d.socket}` },
  });
}

describe('the GitHub Actions runner on this daemon', () => {
  it('runs a job container and a service (health, port, a step reaching the service by alias, workspace both ways, docker through the bound socket, a failing step), as the runner drives them', { timeout: 300_000 }, async () => {
    // DockerVersion: the quotes reach the CLI as they are and come back in the output.
    expect((await ok(['version', '--format', "'{{.Server.APIVersion}}'"]))[0]).toMatch(/^'1\.\d+'$/);
    // Clean up resources from previous jobs.
    for (const stale of await ok(['ps', '--all', '--quiet', '--no-trunc', '--filter', `label=${LABEL}`])) await ok(['rm', '--force', stale]);
    await ok(['network', 'prune', '--force', '--filter', `label=${LABEL}`]);
    const network = `github_network_${guid()}`;
    await ok(['network', 'create', '--label', LABEL, network]);

    // The service container: pulled image, alias, port, the image's HEALTHCHECK.
    const svcName = `${guid()}_runnersvc1_${guid().slice(0, 6)}`;
    const svcId = (await ok([
      'create', '--name', svcName, '--label', LABEL, '--network', network, '--network-alias', 'svc', '-p', '8080',
      '-e', 'GITHUB_ACTIONS=true', '-e', 'CI=true', 'runner-svc:1',
    ]))[0]!;
    await ok(['start', svcId]);
    expect((await ok(['ps', '--all', '--filter', `id=${svcId}`, '--filter', 'status=running', '--no-trunc', '--format', '{{.ID}} {{.Status}}']))[0]).toMatch(new RegExp(`^${svcId} Up`));
    const ports = await ok(['port', svcId]);
    expect(ports.some((l) => /^8080\/tcp -> [\d.:[\]]+:\d+$/.test(l)), ports.join('\n')).toBe(true);

    // The job container.
    const jobName = `${guid()}_alpine_${guid().slice(0, 6)}`;
    const jobId = (await ok([
      'create', '--name', jobName, '--label', LABEL, '--workdir', `/__w/${REPO}/${REPO}`, '--network', network,
      '-e', 'HOME=/github/home', '-e', 'GITHUB_ACTIONS=true', '-e', 'CI=true',
      '-v', '/var/run/docker.sock:/var/run/docker.sock',
      '-v', `${work}:/__w`, '-v', `${externals}:/__e:ro`, '-v', `${join(work, '_temp')}:/__w/_temp`,
      '-v', `${join(work, '_actions')}:/__w/_actions`, '-v', `${join(work, '_tool')}:/__t`,
      '-v', `${join(work, '_temp', '_github_home')}:/github/home`, '-v', `${join(work, '_temp', '_github_workflow')}:/github/workflow`,
      '--entrypoint', 'tail', 'alpine', '-f', '/dev/null',
    ]))[0]!;
    await ok(['start', jobId]);
    expect((await ok(['inspect', jobId, '--format', '{{range .Config.Env}}{{println .}}{{end}}'])).some((l) => l.startsWith('PATH='))).toBe(true);

    // Waiting for all services to be ready.
    for (;;) {
      const health = (await ok(['inspect', svcId, '--format={{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}']))[0];
      // The runner backs off between polls (2 s, doubling).
      if (health === 'starting') {
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      expect(health).toBe('healthy');
      break;
    }

    // Step 1 reaches the service by its --network-alias: the job container's agent resolves `svc`
    // and the daemon relays the connection to the service's agent.
    const reach = await step(jobId, 'wget -qO- http://svc:8080/\n', {});
    expect(reach).toMatchObject({ code: 0, stdout: 'pong\n' });

    // Step 2 writes a file into the workspace and GITHUB_OUTPUT; the runner reads the output on the host; step 3 reads the file.
    await mkdir(join(work, '_temp', '_runner_file_commands'), { recursive: true });
    const output = `/__w/_temp/_runner_file_commands/set_output_${guid()}`;
    const write = await step(jobId, 'echo built > artifact.txt\necho "result=ok" >> "$GITHUB_OUTPUT"\n', { GITHUB_OUTPUT: output });
    expect(write.code, write.stderr).toBe(0);
    expect(await readFile(join(work, '_temp', '_runner_file_commands', output.split('/').pop()!), 'utf8')).toBe('result=ok\n');
    const read = await step(jobId, 'cat artifact.txt\n', {});
    expect(read).toMatchObject({ code: 0, stdout: 'built\n' });
    expect(await readFile(join(work, REPO, REPO, 'artifact.txt'), 'utf8')).toBe('built\n');

    // A step that runs `docker` against the bound socket reaches this daemon (the agent serves it).
    const inner = await step(jobId, `docker ps --filter id=${svcId} --format '{{.Names}}'\n`, {});
    expect(inner, inner.stderr).toMatchObject({ code: 0, stdout: `${svcName}\n` });

    // The failing step: exits 3, which the runner sees as the step's result.
    expect((await step(jobId, 'echo failing\nexit 3\n', {})).code).toBe(3);

    // Stop containers, then the network.
    await ok(['rm', '--force', jobId]);
    await ok(['rm', '--force', svcId]);
    await ok(['network', 'rm', network]);
    expect(await ok(['ps', '--all', '--quiet', '--filter', `label=${LABEL}`])).toEqual([]);
  });
});
