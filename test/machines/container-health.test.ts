// Issue 24: the chart's health region (Docker's health checks), on in-memory doubles and a simulated clock.
import { describe, expect, it } from 'vitest';
import { nextHealth, probeArgv, probeIntervalMs, startingHealth, type HealthResult } from '../../machines/container/health';
import { startHarness } from './harness';

const SECOND = 1_000_000_000;
const check = { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: SECOND, Retries: 2 };
const tick = () => new Promise((r) => setTimeout(r, 0));

async function probeOnce(h: ReturnType<typeof startHarness>) {
  h.clock.increment(1000);
  await tick();
  await tick();
}

describe('container machine health checks', () => {
  it('is starting at the start, unhealthy after Retries failed probes, healthy after a passing one, announcing each change', async () => {
    const h = startHarness({ health: { check, codes: [1, 1, 1, 0] } });
    await h.ask({ type: 'START' });
    expect(h.actor.getSnapshot().matches({ running: { up: { health: 'starting' } } })).toBe(true);
    expect(h.context().health).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });
    await probeOnce(h);
    expect(h.context().health).toMatchObject({ Status: 'starting', FailingStreak: 1 });
    await probeOnce(h);
    expect(h.actor.getSnapshot().matches({ running: { up: { health: 'unhealthy' } } })).toBe(true);
    await probeOnce(h);
    expect(h.context().health).toMatchObject({ Status: 'unhealthy', FailingStreak: 3 });
    await probeOnce(h);
    expect(h.actor.getSnapshot().matches({ running: { up: { health: 'healthy' } } })).toBe(true);
    expect(h.context().health).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
    expect(h.context().health!.Log.map((r) => r.ExitCode)).toEqual([1, 1, 1, 0]);
    expect(h.events).toEqual(['create', 'start', 'health_status: unhealthy', 'health_status: healthy']);
  });

  it('without a health check no probe runs and health stays null', async () => {
    const h = startHarness();
    await h.ask({ type: 'START' });
    h.clock.increment(60_000);
    await tick();
    expect(h.calls).not.toContain('probeHealth');
    expect(h.context().health).toBeNull();
    expect(h.actor.getSnapshot().matches({ running: { up: { health: 'none', probe: 'off' } } })).toBe(true);
  });

  it('HEALTHCHECK NONE runs no probe', async () => {
    const h = startHarness({ health: { check: { Test: ['NONE'] }, codes: [] } });
    await h.ask({ type: 'START' });
    h.clock.increment(60_000);
    await tick();
    expect(h.calls).not.toContain('probeHealth');
  });

  it('probes stop when the container exits, and a new start begins with a fresh health', async () => {
    const h = startHarness({ health: { check, codes: [1] } });
    await h.ask({ type: 'START' });
    await probeOnce(h);
    expect(h.context().health?.Status).toBe('starting');
    h.exit({ status: 'Succeeded', exitCode: 0 });
    await h.settled();
    // moby: a stopped monitor leaves the container unhealthy, without an event.
    expect(h.context().health?.Status).toBe('unhealthy');
    const probes = h.calls.filter((c) => c === 'probeHealth').length;
    h.clock.increment(5000);
    await tick();
    expect(h.calls.filter((c) => c === 'probeHealth').length).toBe(probes);
    await h.ask({ type: 'START' });
    expect(h.context().health).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });
  });
});

describe('health rules (moby daemon/health.go)', () => {
  const at = (ms: number, code: number): HealthResult => ({ Start: new Date(ms).toISOString(), End: new Date(ms).toISOString(), ExitCode: code, Output: '' });
  const started = new Date(0).toISOString();

  it('failures inside the start period do not count while starting', () => {
    const hc = { Test: ['CMD', 'false'], StartPeriod: 10 * SECOND, Retries: 1 };
    const h = nextHealth(startingHealth(), at(5000, 1), hc, started);
    expect(h).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    expect(nextHealth(h, at(11_000, 1), hc, started)).toMatchObject({ Status: 'unhealthy', FailingStreak: 1 });
  });

  it('keeps the last five results', () => {
    let h = startingHealth();
    for (let i = 0; i < 7; i++) h = nextHealth(h, at(i * 1000, i), { Test: ['CMD', 'x'] }, started);
    expect(h.Log.map((r) => r.ExitCode)).toEqual([2, 3, 4, 5, 6]);
  });

  it('CMD execs its arguments, CMD-SHELL goes through /bin/sh -c', () => {
    expect(probeArgv({ Test: ['CMD', 'pg_isready', '-U', 'x'] })).toEqual(['pg_isready', '-U', 'x']);
    expect(probeArgv({ Test: ['CMD-SHELL', 'curl -f localhost'] })).toEqual(['/bin/sh', '-c', 'curl -f localhost']);
  });

  it('defaults to 30s between probes, and the start interval inside the start period', () => {
    expect(probeIntervalMs({ Test: ['CMD', 'x'] }, startingHealth(), started, 0)).toBe(30_000);
    const hc = { Test: ['CMD', 'x'], StartPeriod: 60 * SECOND, StartInterval: SECOND / 2 };
    expect(probeIntervalMs(hc, startingHealth(), started, 1000)).toBe(500);
    expect(probeIntervalMs(hc, startingHealth(), started, 61_000)).toBe(30_000);
  });
});
