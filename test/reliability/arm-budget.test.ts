// Issue 10's acceptance: with the ARM budget on, 500 simultaneous `docker run -d` queue inside the
// daemon instead of tripping the subscription's throttling; the control run without the budget
// shows the same simulator does throttle (so the first can fail).
import { afterEach, describe, expect, it } from 'vitest';
import type { ArmThrottle } from '../../src/simulator';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

// Azure's token buckets (reads 250 + 25/s, writes 200 + 10/s) scaled so that 1,000 writes take
// under a minute, yet stay below what the daemon sends unchecked (the control shows it).
const throttle: ArmThrottle = { reads: { bucket: 60, refillPerSecond: 60 }, writes: { bucket: 30, refillPerSecond: 25 } };

async function runDetached(d: TestDaemon, count: number): Promise<{ started: number; errors: string[] }> {
  const errors: string[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: count }, async () => {
    try {
      const container = await d.docker.createContainer({ Image: 'alpine', Cmd: ['true'] });
      await container.start();
      started++;
    } catch (err) {
      errors.push((err as Error).message);
    }
  }));
  return { started, errors };
}

async function daemonWith(budget: string, armThrottle: ArmThrottle): Promise<TestDaemon> {
  const d = await startTestDaemon({
    env: { SOCKERLESS_AGENT: 'off', SOCKERLESS_ARM_BUDGET: budget },
    simulator: { isolation: 'none', armThrottle },
  });
  expect((await d.cli(['pull', 'alpine'])).code).toBe(0);
  return d;
}

describe('the ARM budget', () => {
  let d: TestDaemon | undefined;
  afterEach(async () => {
    await d?.close();
    d = undefined;
  });

  it('500 concurrent docker run -d all start, and the simulator never throttles one request', async () => {
    d = await daemonWith('reads=40/50,writes=20/25', throttle);
    const { started, errors } = await runDetached(d, 500);
    const { throttled } = d.running.simulator!.faultCounts();
    console.log(`[arm-budget] 500 runs with the budget: ${started} started, ${errors.length} errors, ${throttled} requests throttled; ARM ${JSON.stringify(d.running.simulator!.stats())}`);
    expect(errors).toEqual([]);
    expect(started).toBe(500);
    expect(throttled).toBe(0);
    const states = await d.docker.listContainers({ all: true });
    expect(states).toHaveLength(500);
    for (const c of states) {
      const info = await d.docker.getContainer(c.Id).inspect();
      expect(info.State.Error).not.toMatch(/429|TooManyRequests|throttl/i);
    }
  }, 600_000);

  it('control: without the budget a burst trips the simulator throttling', async () => {
    // Tighter buckets than above: how fast an unchecked daemon sends depends on how busy the
    // machine is, and the control must trip them however slow it runs.
    d = await daemonWith('off', { reads: { bucket: 10, refillPerSecond: 5 }, writes: { bucket: 5, refillPerSecond: 5 } });
    await runDetached(d, 200);
    const { throttled } = d.running.simulator!.faultCounts();
    console.log(`[arm-budget] 200 runs without the budget: ${throttled} requests throttled`);
    expect(throttled).toBeGreaterThan(0);
  }, 600_000);
});
