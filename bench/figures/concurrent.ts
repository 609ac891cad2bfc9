// concurrent_runs_per_s: 200 `docker run --rm alpine true` with at most 50 in flight, every one of
// which must succeed, with the daemon's ARM budget on (its default); beside it the bound that budget
// allows (writes per second / writes per run), the same 200 runs on a second daemon with job reuse
// off, and the same 200 commands spawned 50 at a time without the daemon. Both daemons' batches are
// measured in the budget's steady state (see drainWriteBurst).
import Docker from 'dockerode';
import { type ArmRates, DEFAULT_ARM_RATES, parseArmRates } from '../../src/aca/arm-budget';
import { dockerRunRm } from '../client';
import { IMAGE, type BenchContext } from '../context';
import type { SimulatorStats } from '../../src/simulator/stats';
import { type DaemonProcess, startDaemonProcess, statsDelta } from '../daemon-process';
import { round, type Figure } from '../figure';
import { spawnLikeSimulator } from '../spawn-baseline';
import { median, percentile, pool, sleep } from '../stats';

const CONCURRENCY = 50;

/** `containers` is 200 in the full run; --quick runs fewer and the note says so. */
export async function concurrentRuns(ctx: BenchContext, reps: number, containers = 200): Promise<Figure[]> {
  const CONTAINERS = containers;
  const rates: number[] = [];
  const p95s: number[] = [];
  const spawnRates: number[] = [];
  const failures: string[] = [];
  const items = Array.from({ length: CONTAINERS }, (_, i) => i);
  const budget = parseArmRates(process.env.SOCKERLESS_ARM_BUDGET);
  const rssBefore = ctx.daemon.rssKb();
  const drains: Drain[] = [];
  let requests: SimulatorStats = { byOperation: {}, reads: 0, writes: 0 } as SimulatorStats;
  for (let rep = 0; rep < reps; rep++) {
    drains.push(await drainWriteBurst(ctx, ctx.daemon, ctx.docker, budget));
    const batchBefore = await ctx.daemon.simulatorStats();
    const started = performance.now();
    const latencies = await pool(items, CONCURRENCY, async () => {
      try {
        const run = await dockerRunRm(ctx.docker, IMAGE, ['true']);
        if (run.statusCode !== 0) failures.push(`exit ${run.statusCode}`);
        return run.ms;
      } catch (err) {
        failures.push((err as Error).message);
        return Number.NaN;
      }
    });
    const elapsed = performance.now() - started;
    requests = addStats(requests, statsDelta(batchBefore, await ctx.daemon.simulatorStats()));
    rates.push((CONTAINERS * 1000) / elapsed);
    p95s.push(percentile(latencies.filter(Number.isFinite), 95));
    ctx.log(`  rep ${rep + 1}: ${round((CONTAINERS * 1000) / elapsed, 1)} runs/s, p95 ${round(p95s.at(-1)!, 0)} ms`);

    const spawnStarted = performance.now();
    await pool(items, CONCURRENCY, () => spawnLikeSimulator(ctx.plan, ['true'], ctx.spawner));
    spawnRates.push((CONTAINERS * 1000) / (performance.now() - spawnStarted));
  }
  const reuseOff = await reuseOffRate(ctx, items, budget);
  const perRun = (n: number) => round(n / (CONTAINERS * reps), 1);
  const perRunOps = Object.fromEntries(Object.entries(requests.byOperation).map(([op, n]) => [op, perRun(n)]));
  ctx.log(`  simulator requests per run: ${JSON.stringify(perRunOps)}`);
  const rssGrowth = ctx.daemon.rssKb() - rssBefore;
  const rate = median(rates);
  const spawnRate = median(spawnRates);
  // The steady rate the budget allows: its writes per second over the writes one run takes (both
  // daemons' batches start with the burst drained, so this is the bound they are held to).
  const writesPerSecond = budget === 'off' ? DEFAULT_ARM_RATES.writes.perSecond : budget.writes.perSecond;
  const burst = budget === 'off' ? 0 : budget.writes.burst;
  const writesPerRun = requests.writes / (CONTAINERS * reps);
  const bound = writesPerSecond / writesPerRun;
  const vsBound = rate / bound;
  const vsOff = reuseOff.rate ? rate / reuseOff.rate : Number.NaN;
  const allOk = failures.length === 0 && reuseOff.failures.length === 0;
  return [
    {
      name: 'concurrent_runs_per_s',
      value: failures.length ? null : round(rate, 1),
      unit: 'runs/s',
      samples: reps,
      comparison: { label: 'job reuse off', value: reuseOff.failures.length ? null : round(reuseOff.rate, 1), unit: 'runs/s' },
      target: {
        text: 'all succeed; >= 0.8 of the budget bound; >= 2.5x reuse off',
        met: allOk && budget !== 'off' && vsBound >= 0.8 && vsOff >= 2.5,
      },
      note: failures.length || reuseOff.failures.length
        ? `${failures.length} of ${CONTAINERS * reps} runs failed (reuse off: ${reuseOff.failures.length}): ${[...new Set([...failures, ...reuseOff.failures])].slice(0, 3).join('; ')}`
        : `${CONTAINERS === 200 ? '' : `--quick: ${CONTAINERS} containers, not 200; `}ARM budget ${budget === 'off' ? 'OFF' : `${writesPerSecond} writes/s (burst ${burst})`}; ` +
          `bound ${round(bound, 1)} runs/s (${writesPerSecond} writes/s / ${round(writesPerRun, 2)} writes per run), ${round(vsBound, 2)}x of it; ` +
          `${round(vsOff, 2)}x reuse off (${round(reuseOff.writesPerRun, 2)} writes per run, bound ${round(writesPerSecond / reuseOff.writesPerRun, 1)} runs/s); ` +
          `steady state: ${describeDrains([...drains, reuseOff.drain])}; ` +
          `spawn ${round(spawnRate, 1)} runs/s; ${CONTAINERS} at once, client concurrency ${CONCURRENCY}; p95 ${round(median(p95s), 0)} ms (reuse off ${round(reuseOff.p95, 0)} ms); daemon RSS +${round(rssGrowth / 1024, 0)} MB over ${CONTAINERS * reps} removed containers`,
      detail: {
        rssGrowthKb: rssGrowth, simulatorRequestsPerRun: perRunOps, ratesPerS: rates.map((r) => round(r, 2)), p95Ms: p95s.map((p) => round(p, 1)), spawnRatesPerS: spawnRates.map((r) => round(r, 2)),
        boundRunsPerS: round(bound, 2), writesPerRun: round(writesPerRun, 2), reuseOff: { ratePerS: round(reuseOff.rate, 2), writesPerRun: round(reuseOff.writesPerRun, 2), p95Ms: round(reuseOff.p95, 1), drain: reuseOff.drain },
        drains,
      },
    },
    {
      name: 'concurrent_runs_p95_ms',
      value: failures.length ? null : round(median(p95s), 0),
      unit: 'ms',
      samples: reps,
      note: 'p95 latency of one run inside the 200 (median over repetitions)',
    },
  ];
}

/** The same runs on a second daemon with job reuse off (each run its own job: PUT, start, delete). */
async function reuseOffRate(ctx: BenchContext, items: number[], budget: ArmRates | 'off'): Promise<{ rate: number; p95: number; writesPerRun: number; failures: string[]; drain: Drain }> {
  ctx.log('  the same runs with job reuse off (a second daemon)');
  const daemon = await startDaemonProcess({ env: { SOCKERLESS_JOB_REUSE: 'off' } });
  try {
    const docker = new Docker({ host: daemon.host, port: daemon.port });
    await new Promise<void>((resolve, reject) =>
      docker.pull(IMAGE, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))),
    );
    const failures: string[] = [];
    const drain = await drainWriteBurst(ctx, daemon, docker, budget);
    const before = await daemon.simulatorStats();
    const started = performance.now();
    const latencies = await pool(items, CONCURRENCY, async () => {
      try {
        const run = await dockerRunRm(docker, IMAGE, ['true']);
        if (run.statusCode !== 0) failures.push(`exit ${run.statusCode}`);
        return run.ms;
      } catch (err) {
        failures.push((err as Error).message);
        return Number.NaN;
      }
    });
    const rate = (items.length * 1000) / (performance.now() - started);
    const writes = statsDelta(before, await daemon.simulatorStats()).writes;
    ctx.log(`  reuse off: ${round(rate, 1)} runs/s, ${round(writes / items.length, 2)} writes per run`);
    return { rate, p95: percentile(latencies.filter(Number.isFinite), 95), writesPerRun: writes / items.length, failures, drain };
  } finally {
    await daemon.stop();
  }
}

/** How a daemon's write bucket was drained before a measured batch. */
interface Drain {
  drained: boolean;
  runs: number;
  writes: number;
  ms: number;
  failures: number;
}

const DRAIN_LIMIT_MS = 60_000;
/**
 * Tokens the drain may leave: a throttled daemon's writes follow burst + rate x t from below (a
 * fraction of a token in the bucket, a write or two taken but not yet counted by the simulator),
 * so the exact line is never reached; a bucket of 150 left with 2 is drained.
 */
const DRAIN_SLACK = 2;

/**
 * Leaves the daemon's ARM write bucket empty, so the batch that follows is measured in the
 * budget's steady state, the one its bound (writes per second / writes per run) describes. A full
 * bucket (burst 150) lets a batch's first 150 writes go at once, which covers a different share of
 * each daemon's writes (all of a reuse-on batch at 1 write per run, a quarter of a 200-run reuse-off
 * batch at 3) and so flatters reuse off. Drained rather than amortized: for the burst to be a
 * negligible share of reuse-on's writes its batch would need thousands of runs.
 *
 * First an idle wait of burst / rate seconds, after which the bucket is certainly full (it only
 * refills to its burst), so its tokens are known. Then runs that keep a job of their own (an
 * anonymous volume: a job PUT, a start and a delete at least, on either daemon), 50 at a time,
 * until the simulator has counted burst + rate x elapsed writes since the wait (less DRAIN_SLACK):
 * every token the bucket had or gained is spent, and the writes still queued behind the budget keep it at zero
 * while the runs in flight finish. The measured batch starts as soon as they have.
 * Same rates, same machine, same procedure for both daemons.
 */
async function drainWriteBurst(ctx: BenchContext, daemon: DaemonProcess, docker: Docker, budget: ArmRates | 'off'): Promise<Drain> {
  if (budget === 'off') return { drained: false, runs: 0, writes: 0, ms: 0, failures: 0 };
  const { perSecond, burst } = budget.writes;
  await sleep(Math.ceil((burst / perSecond) * 1000));
  const before = await daemon.simulatorStats();
  const started = performance.now();
  let drained = false;
  let runs = 0;
  let failures = 0;
  const watcher = (async () => {
    while (!drained && performance.now() - started < DRAIN_LIMIT_MS) {
      await sleep(100);
      const asked = performance.now();
      const writes = (await daemon.simulatorStats()).writes - before.writes;
      if (writes >= burst + (perSecond * (asked - started)) / 1000 - DRAIN_SLACK) drained = true;
    }
  })();
  await pool(Array.from({ length: CONCURRENCY }), CONCURRENCY, async () => {
    while (!drained && performance.now() - started < DRAIN_LIMIT_MS) {
      runs++;
      await ownJobRun(docker).catch(() => failures++);
    }
  });
  await watcher;
  const result = { drained, runs, writes: (await daemon.simulatorStats()).writes - before.writes, ms: Math.round(performance.now() - started), failures };
  ctx.log(`  write burst ${drained ? 'drained' : 'NOT drained'}: ${runs} runs with a job of their own, ${result.writes} writes in ${round(result.ms / 1000, 1)} s${failures ? `, ${failures} failed` : ''}`);
  return result;
}

/** `docker run --rm -v /drain alpine true`: the anonymous volume keeps it off shared jobs. */
async function ownJobRun(docker: Docker): Promise<void> {
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], Volumes: { '/drain': {} }, HostConfig: { AutoRemove: true } });
  const removed = container.wait({ condition: 'removed' }) as Promise<{ StatusCode: number }>;
  removed.catch(() => {});
  await container.start();
  await removed;
}

function addStats(a: SimulatorStats, b: SimulatorStats): SimulatorStats {
  const byOperation = { ...a.byOperation };
  for (const [op, n] of Object.entries(b.byOperation)) byOperation[op] = (byOperation[op] ?? 0) + n;
  return { ...a, byOperation, reads: a.reads + b.reads, writes: a.writes + b.writes };
}

function describeDrains(drains: Drain[]): string {
  if (drains.every((d) => d.runs === 0)) return 'budget off, nothing drained';
  const bad = drains.filter((d) => !d.drained).length;
  return `write burst drained before each batch (${drains.map((d) => `${d.runs} own-job runs, ${d.writes} writes`).join('; ')})${bad ? `, ${bad} NOT drained in ${DRAIN_LIMIT_MS / 1000} s` : ''}`;
}
