import { describe, expect, it } from 'vitest';
import type { Execution, ExecutionStatus } from '../../src/aca/cloud';
import { CloudError } from '../../src/aca/errors';
import { ExecutionReader, type ExecutionLook } from '../../src/aca/execution-reader';

function reader(look: (e: Execution) => ExecutionLook | Promise<ExecutionLook>, opts: { intervalMs?: number; readsPerSecond?: number } = {}) {
  const reads: string[] = [];
  const r = new ExecutionReader({
    read: async (e) => {
      reads.push(e.executionName);
      return look(e);
    },
    vanished: (e) => ({ status: 'Failed', reason: 'NotFound', message: `${e.executionName} vanished` }),
    intervalMs: opts.intervalMs ?? 10,
    readsPerSecond: opts.readsPerSecond ?? 1000,
    concurrency: 4,
  });
  return { r, reads };
}

const exec = (n: number): Execution => ({ jobName: `job-${n}`, executionName: `exec-${n}` });

describe('the shared execution reader', () => {
  it('resolves each watch with its own end and tells once when an execution is first Running', async () => {
    const statuses = new Map<string, ExecutionStatus[]>([
      ['exec-1', ['Processing', 'Running', 'Running', 'Succeeded']],
      ['exec-2', ['Running', 'Failed']],
    ]);
    const { r } = reader((e) => {
      const status = statuses.get(e.executionName)!.shift()!;
      return status === 'Succeeded' || status === 'Failed' ? { status, end: { status, exitCode: status === 'Failed' ? 3 : 0 } } : { status };
    });
    let running = 0;
    const ends = await Promise.all([r.watch(exec(1), AbortSignal.timeout(5000), () => running++), r.watch(exec(2), AbortSignal.timeout(5000), () => running++)]);
    expect(ends).toEqual([{ status: 'Succeeded', exitCode: 0 }, { status: 'Failed', exitCode: 3 }]);
    expect(running).toBe(2);
    expect(r.size).toBe(0);
  });

  it('paces all executions to its share of the read budget', async () => {
    const { r, reads } = reader(() => ({ status: 'Running' }), { intervalMs: 0, readsPerSecond: 100 });
    const controller = new AbortController();
    const watches = Array.from({ length: 50 }, (_, i) => r.watch(exec(i), controller.signal).catch(() => 'aborted'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await Promise.all(watches);
    // 100 reads per second for 0.3 s, however many executions wait: about 30, never one per execution per tick.
    expect(reads.length).toBeGreaterThan(5);
    expect(reads.length).toBeLessThanOrEqual(40);
    // Most overdue first: every execution is read before any is read twice.
    expect(new Set(reads.slice(0, Math.min(50, reads.length))).size).toBe(Math.min(50, reads.length));
  });

  it('a hint makes the named execution due at once', async () => {
    let status: ExecutionStatus = 'Running';
    const { r, reads } = reader(() => (status === 'Succeeded' ? { status, end: { status } } : { status }), { intervalMs: 60_000 });
    const ended = r.watch(exec(1), AbortSignal.timeout(5000));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toEqual(['exec-1']);
    status = 'Succeeded';
    r.hint('exec-2');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(reads).toEqual(['exec-1']);
    r.hint('exec-1');
    await expect(ended).resolves.toEqual({ status: 'Succeeded' });
  });

  it('keeps watching through throttling and 5xx; a 404 is a vanished execution; a fatal error ends the watch', async () => {
    const failures = [new CloudError('get execution of', 'x', '429', 429), new CloudError('get execution of', 'x', '503', 503)];
    const { r } = reader((e) => {
      if (e.executionName === 'exec-1') {
        const failure = failures.shift();
        if (failure) throw failure;
        return 'gone';
      }
      throw new CloudError('get execution of', 'x', 'Forbidden', 403);
    });
    await expect(r.watch(exec(1), AbortSignal.timeout(5000))).resolves.toMatchObject({ reason: 'NotFound' });
    await expect(r.watch(exec(2), AbortSignal.timeout(5000))).rejects.toThrow(/Forbidden/);
  });
});
