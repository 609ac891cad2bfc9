// Issue 24: Docker health checks run by the agent inside the container, on dockerd's schedule.
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from '../helpers/daemon';
import { agentConnected } from './agent-helpers';

interface HealthView {
  Status: string;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

const d = useTestDaemon(undefined, { pull: ['alpine'] });

const health = async (id: string) => ((await d.docker.getContainer(id).inspect()) as unknown as { State: { Health?: HealthView } }).State.Health;

async function healthBecomes(id: string, status: string): Promise<HealthView> {
  for (;;) {
    const h = await health(id);
    if (h?.Status === status) return h;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const psStatus = async (id: string) => (await d.cli(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}'])).stdout.trim();

describe('health checks', () => {
  it("--health-cmd 'test -f /tmp/ok' goes starting, unhealthy, then healthy once docker exec creates the file; events say so", async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const run = await d.cli(['run', '-d', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '1s', '--health-retries', '3', 'alpine', 'sleep', '120']);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const config = ((await d.docker.getContainer(id).inspect()) as unknown as { Config: { Healthcheck: unknown } }).Config.Healthcheck;
    expect(config).toMatchObject({ Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 1_000_000_000, Retries: 3 });
    expect((await health(id))?.Status).toBe('starting');
    await agentConnected(d, id);

    const unhealthy = await healthBecomes(id, 'unhealthy');
    expect(unhealthy.FailingStreak).toBeGreaterThanOrEqual(3);
    expect(unhealthy.Log.length).toBeGreaterThanOrEqual(3);
    expect(unhealthy.Log.every((r) => r.ExitCode === 1)).toBe(true);
    expect(await psStatus(id)).toMatch(/^Up .* \(unhealthy\)$/);

    expect((await d.cli(['exec', id, 'touch', '/tmp/ok'])).code).toBe(0);
    const healthy = await healthBecomes(id, 'healthy');
    expect(healthy.FailingStreak).toBe(0);
    expect(healthy.Log.at(-1)?.ExitCode).toBe(0);
    expect(healthy.Log.length).toBeLessThanOrEqual(5);
    expect(await psStatus(id)).toMatch(/^Up .* \(healthy\)$/);
    const byHealth = async (h: string) => (await d.cli(['ps', '-q', '--no-trunc', '--filter', `health=${h}`])).stdout.trim().split('\n');
    expect(await byHealth('healthy')).toContain(id);
    expect(await byHealth('unhealthy')).not.toContain(id);
    expect((await d.cli(['inspect', '--format', '{{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}', id])).stdout.trim()).toBe('healthy');

    const until = Math.ceil(Date.now() / 1000) + 1;
    const events = await d.cli(['events', '--since', String(since), '--until', String(until), '--filter', `container=${id}`, '--format', '{{.Action}}']);
    const actions = events.stdout.trim().split('\n');
    const unhealthyAt = actions.indexOf('health_status: unhealthy');
    expect(unhealthyAt).toBeGreaterThan(actions.indexOf('start'));
    expect(actions.indexOf('health_status: healthy')).toBeGreaterThan(unhealthyAt);
    await d.cli(['rm', '-f', id]);
  });

  it('a probe that outlives --health-timeout is killed and logged with exit code -1', async () => {
    const run = await d.cli(['run', '-d', '--health-cmd', 'sleep 30', '--health-interval', '1s', '--health-timeout', '300ms', '--health-retries', '1', 'alpine', 'sleep', '120']);
    expect(run.code, run.stderr).toBe(0);
    const id = run.stdout.trim();
    const h = await healthBecomes(id, 'unhealthy');
    expect(h.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (0.3s)' });
    await d.cli(['rm', '-f', id]);
  });

  it('a container without a health check has no State.Health and no health in ps', async () => {
    const run = await d.cli(['run', '-d', 'alpine', 'sleep', '60']);
    const id = run.stdout.trim();
    expect(await health(id)).toBeUndefined();
    expect(await psStatus(id)).toMatch(/^Up [^(]*$/);
    expect((await d.cli(['inspect', '--format', '{{if .Config.Healthcheck}}{{print .State.Health.Status}}{{end}}', id])).stdout.trim()).toBe('');
    expect((await d.cli(['ps', '-q', '--no-trunc', '--filter', 'health=none'])).stdout).toContain(id);
    const bad = await d.cli(['ps', '--filter', 'health=fine']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Unrecognised filter value for health: fine');
    await d.cli(['rm', '-f', id]);
  });

  it('a health interval under 1ms is refused with 400, as dockerd does', async () => {
    const err = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'], Healthcheck: { Test: ['CMD', 'true'], Interval: 5 } }).catch((e) => e);
    expect(err.statusCode).toBe(400);
    expect(err.json.message).toContain('Interval in Healthcheck cannot be less than 1ms');
  });
});
