// Issue 24: the runner binds /var/run/docker.sock into every container; the create succeeds, says
// clearly that the socket is not served, and the container does not have it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { agentConnected } from '../e2e/agent-helpers';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
  await d.cli(['pull', 'alpine']);
});
afterAll(async () => {
  await d?.close();
});

describe('-v /var/run/docker.sock:/var/run/docker.sock', () => {
  it('creates the container with a warning naming the socket, leaves it out of Mounts and of the container', async () => {
    const create = await d.cli(['create', '-v', '/var/run/docker.sock:/var/run/docker.sock', 'alpine', 'sleep', '60']);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stderr).toContain('/var/run/docker.sock:/var/run/docker.sock: the Docker socket is not served inside Azure Container Apps jobs');
    const id = create.stdout.trim();
    const info = await d.docker.getContainer(id).inspect();
    expect(info.Mounts.map((m) => m.Destination)).not.toContain('/var/run/docker.sock');
    expect((await d.cli(['start', id])).code).toBe(0);
    await agentConnected(d, id);
    expect((await d.cli(['exec', id, 'test', '-S', '/var/run/docker.sock'])).code).toBe(1);
    await d.cli(['rm', '-f', id]);
  });
});
