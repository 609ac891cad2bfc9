// arm_requests_per_run and arm_reads_per_running_minute: what the simulator counted, as deltas of
// its counters around one `docker run --rm` (nothing else runs meanwhile) or a quiet running window.
import { dockerRunRm } from '../client';
import { IMAGE, type BenchContext } from '../context';
import { armReads, logQueries, statsDelta } from '../daemon-process';
import { atMost, round, type Figure } from '../figure';
import { median, sleep } from '../stats';
import type { SimulatorStats } from '../../src/simulator/stats';

export async function armPerRun(ctx: BenchContext, runs: number): Promise<Figure[]> {
  const deltas: SimulatorStats[] = [];
  for (let i = 0; i < runs; i++) {
    const before = await ctx.daemon.simulatorStats();
    const run = await dockerRunRm(ctx.docker, IMAGE, ['true']);
    if (run.statusCode !== 0) throw new Error(`docker run --rm exited ${run.statusCode}`);
    // Anything the daemon still does for this container (a last poll, a delete) lands here.
    await sleep(300);
    deltas.push(statsDelta(before, await ctx.daemon.simulatorStats()));
  }
  const writes = median(deltas.map((d) => d.writes));
  const reads = median(deltas.map(armReads));
  const queries = median(deltas.map(logQueries));
  const typical = deltas.find((d) => d.writes === writes && armReads(d) === reads) ?? deltas[0]!;
  const ops = Object.entries(typical.byOperation)
    .filter(([op]) => op !== 'token' && op !== 'openidConfiguration')
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  const cold = ctx.coldRun;
  const opsOf = (d: SimulatorStats) => ['Jobs_CreateOrUpdate', 'Jobs_Start', 'Jobs_Delete', 'Jobs_StopExecution'].map((op) => `${op} ${d.byOperation[op] ?? 0}`).join(', ');
  return [
    {
      // Issue: from 3 (job PUT, start, delete) to 1 (start on the shape's shared job).
      name: 'arm_writes_per_run',
      value: writes,
      unit: 'writes',
      samples: runs,
      ...(cold && { comparison: { label: 'cold (first run of the shape)', value: cold.writes, unit: 'writes' } }),
      target: atMost(writes, 1),
      note: `warm docker run --rm: ${opsOf(typical)}`,
    },
    ...(cold
      ? [{
          name: 'arm_writes_per_run_cold',
          value: cold.writes,
          unit: 'writes',
          samples: 1,
          comparison: { label: 'warm', value: writes, unit: 'writes' },
          target: atMost(cold.writes, 2),
          note: `the daemon's first docker run --rm (its job shape's PUT): ${opsOf(cold)}`,
        } satisfies Figure]
      : []),
    {
      name: 'arm_requests_per_run',
      value: writes,
      unit: 'writes',
      samples: runs,
      comparison: { label: 'reads', value: reads, unit: '' },
      target: atMost(writes, 4),
      note: `PUT/POST/DELETE; one run: ${ops}`,
      detail: { deltas },
    },
    {
      name: 'arm_requests_per_run',
      value: reads,
      unit: 'reads',
      samples: runs,
      comparison: { label: 'writes', value: writes, unit: '' },
      target: atMost(reads, 3),
      note: `ARM GETs (LRO polls included; the simulator answers writes at once, as ARM does for quick ones); plus ${queries} Log Analytics queries (attach), not ARM`,
    },
  ];
}

export interface MinuteWatch {
  containerId: string;
  /** Waits out the window and reports reads per running minute. */
  finish(): Promise<Figure>;
}

/**
 * Starts a long-running container and counts the simulator's reads over `windowMs` while it runs.
 * Other figures may run meanwhile as long as they make no cloud calls and never hold the daemon's
 * event loop for long (inspect): the daemon's polls are timers.
 */
export async function startMinuteWatch(ctx: BenchContext, windowMs: number): Promise<MinuteWatch> {
  const c = await ctx.docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '3600'] });
  await c.start();
  await sleep(1000); // past the start's own requests
  const info = await c.inspect();
  if (!info.State.Running) throw new Error(`the minute container is ${info.State.Status}, not running`);
  const before = await ctx.daemon.simulatorStats();
  const started = performance.now();
  return {
    containerId: c.id,
    async finish() {
      const left = windowMs - (performance.now() - started);
      if (left > 0) await sleep(left);
      const after = await ctx.daemon.simulatorStats();
      const elapsed = performance.now() - started;
      const delta = statsDelta(before, after);
      if (!(await c.inspect()).State.Running) throw new Error('the minute container stopped during its window');
      await c.remove({ force: true });
      const perMinute = (armReads(delta) * 60_000) / elapsed;
      const scaled = elapsed < 60_000;
      const ops = Object.entries(delta.byOperation)
        .filter(([op]) => op !== 'token' && op !== 'openidConfiguration')
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      return {
        name: 'arm_reads_per_running_minute',
        value: round(perMinute, 1),
        unit: 'reads/min',
        samples: 1,
        comparison: { label: 'writes/min', value: round((delta.writes * 60_000) / elapsed, 1), unit: '' },
        target: atMost(round(perMinute, 1), 2),
        note:
          `${scaled ? `--quick: counted over ${round(elapsed / 1000, 1)} s and scaled to a minute; ` : `counted over ${round(elapsed / 1000, 1)} s; `}` +
          `${ctx.agent ? 'agent wrapper present' : 'no agent (target assumes one connected)'}; ${ops || 'no requests'}`,
        detail: { delta, elapsedMs: round(elapsed, 0) },
      };
    },
  };
}
