// Issue 24: the runner binds /var/run/docker.sock into every container. Where the agent is the
// replica's init it serves that socket (the daemon's own API, through the agent's connection), so
// `docker` inside the container drives this daemon; without an agent the create succeeds, says
// clearly that the socket is not served, and the container does not have it.
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from '../helpers/daemon';
import { agentConnected } from '../e2e/agent-helpers';
import { IS_ROOT } from '../simulator/isolation-support';

describe.skipIf(!IS_ROOT)('-v /var/run/docker.sock:/var/run/docker.sock, served by the agent (the simulator\'s namespaces: root)', () => {
  const d = useTestDaemon(undefined, { pull: ['alpine'] });

  it('docker inside the container reaches this daemon: ps shows the container itself, run starts another and streams its output', { timeout: 120_000 }, async () => {
    const create = await d.cli(['create', '--name', 'sock-user', '-v', '/var/run/docker.sock:/var/run/docker.sock', 'alpine', 'sleep', '120']);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stderr).toBe('');
    const id = create.stdout.trim();
    expect((await d.cli(['start', id])).code).toBe(0);
    await agentConnected(d, id);
    expect((await d.cli(['exec', id, 'test', '-S', '/var/run/docker.sock'])).code).toBe(0);

    const ps = await d.cli(['exec', '-e', 'HOME=/tmp', id, 'docker', 'ps', '--format', '{{.Names}}']);
    expect(ps.code, ps.stderr).toBe(0);
    expect(ps.stdout.split('\n')).toContain('sock-user');
    // A nested run: create, attach (a hijacked stream through both hops), start, wait, remove.
    const nested = await d.cli(['exec', '-e', 'HOME=/tmp', id, 'docker', 'run', '--rm', 'alpine', 'echo', 'from inside']);
    expect(nested).toMatchObject({ code: 0, stdout: 'from inside\n' });
    await d.cli(['rm', '-f', id]);
  });
});

describe('-v /var/run/docker.sock:/var/run/docker.sock without an agent', () => {
  const d = useTestDaemon({ env: { SOCKERLESS_AGENT: 'off' } }, { pull: ['alpine'] });

  it('creates the container with a warning naming the socket, and leaves it out of Mounts', async () => {
    const create = await d.cli(['create', '-v', '/var/run/docker.sock:/var/run/docker.sock', 'alpine', 'sleep', '60']);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stderr).toContain('/var/run/docker.sock:/var/run/docker.sock: the Docker socket is not served inside Azure Container Apps jobs');
    const id = create.stdout.trim();
    const info = await d.docker.getContainer(id).inspect();
    expect(info.Mounts.map((m) => m.Destination)).not.toContain('/var/run/docker.sock');
    await d.cli(['rm', '-f', id]);
  });
});
