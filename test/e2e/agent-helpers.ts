import type { TestDaemon } from '../helpers/daemon';

/** Runs a detached container and returns its id once its agent is connected. */
export async function runningWithAgent(d: TestDaemon, cmd: string[], extra: string[] = []): Promise<string> {
  const run = await d.cli(['run', '-d', ...extra, 'alpine', ...cmd]);
  if (run.code !== 0) throw new Error(`docker run failed: ${run.stderr}`);
  const id = run.stdout.trim();
  await agentConnected(d, id);
  return id;
}

/** Resolves once inspect shows the container's agent connected (the daemon's events say so, no polling timer). */
export async function agentConnected(d: TestDaemon, id: string): Promise<void> {
  for (;;) {
    const info = (await d.docker.getContainer(id).inspect()) as unknown as { Aca: { AgentConnected: boolean }; State: { Running: boolean } };
    if (info.Aca.AgentConnected) return;
    if (!info.State.Running) throw new Error('the container stopped before its agent connected');
    await new Promise((r) => setTimeout(r, 50));
  }
}
