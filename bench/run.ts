// npm run bench [-- --quick] [--json FILE] [--cpu-prof DIR] [--only a,b]
// Starts its own daemon (a separate process, on the embedded simulator, loopback only) and prints
// a table of figures, each with its comparison measured in the same run. See README "Performance".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { HttpClient } from './client';
import { IMAGE, type BenchContext } from './context';
import { startDaemonProcess } from './daemon-process';
import { renderTable, round, type Figure } from './figure';
import { armPerRun, startMinuteWatch } from './figures/arm';
import { concurrentRuns } from './figures/concurrent';
import { inspectRps } from './figures/inspect';
import { logLatency } from './figures/logs';
import { psAndMemory } from './figures/ps';
import { runLatency } from './figures/run-latency';
import { createSpawner, planFromJob, type Spawner } from './spawn-baseline';

const GROUPS = ['run', 'arm', 'concurrent', 'logs', 'minute', 'inspect', 'ps'] as const;
type Group = (typeof GROUPS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run bench -- [--quick] [--json FILE] [--cpu-prof DIR] [--only ${GROUPS.join(',')}]

Starts a daemon on the embedded simulator (loopback) and prints what users feel, each figure beside
a comparison measured in the same run. --quick takes about a minute; the full run under five.
--cpu-prof writes a V8 CPU profile of the daemon process into DIR (read it with bench/profile-top.ts).`);
  process.exit(0);
}

const only = new Set<Group>(values.only ? (values.only.split(',') as Group[]) : GROUPS);
for (const g of only) if (!GROUPS.includes(g)) throw new Error(`--only: unknown group ${g}; known: ${GROUPS.join(', ')}`);
const quick = values.quick;

const settings = quick
  ? { runs: 30, warmup: 3, armRuns: 3, concurrentReps: 1, concurrentContainers: 100, logLines: 200, minuteMs: 10_000, inspectReps: 1, inspectSeconds: 3, psLists: 3, psBudgetMs: 12_000 }
  : { runs: 40, warmup: 5, armRuns: 5, concurrentReps: 2, concurrentContainers: 200, logLines: 200, minuteMs: 60_000, inspectReps: 3, inspectSeconds: 10, psLists: 5, psBudgetMs: 60_000 };

process.on('unhandledRejection', (err) => {
  console.error('unhandled rejection in the bench (counted as a failure):', err);
  process.exitCode = 1;
});

const t0 = performance.now();
const elapsed = () => `${round((performance.now() - t0) / 1000, 1)} s`;
const log = (message: string) => console.error(`[bench ${elapsed()}] ${message}`);

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: round(totalmem() / 1024 ** 3, 1),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};

log(`starting the daemon (${quick ? 'quick' : 'full'} run)`);
const daemon = await startDaemonProcess({ cpuProfileDir: values['cpu-prof'] });
const scratch = mkdtempSync(join(tmpdir(), 'sockerless-bench-spawn-'));
let spawner: Spawner | undefined;
const figures: Figure[] = [];
let failed = false;
try {
  const docker = new Docker({ host: daemon.host, port: daemon.port });
  const http = new HttpClient(daemon.host, daemon.port);
  log(`daemon pid ${daemon.pid} at ${daemon.url}; simulator at ${daemon.simulatorUrl}`);
  await new Promise<void>((resolve, reject) =>
    docker.pull(IMAGE, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))),
  );

  // Does the daemon wrap the user's command in the agent? Read the job it makes.
  const probeArgv = ['sleep', '30'];
  const probe = await docker.createContainer({ Image: IMAGE, Cmd: probeArgv });
  await probe.start();
  const jobName = `sockerless-${probe.id.slice(0, 12)}`;
  const job = (await daemon.simulatorJobs()).find((j) => j.job.name === jobName);
  await probe.remove({ force: true });
  if (!job) throw new Error(`no simulator job ${jobName} after starting the probe container`);
  const plan = planFromJob(job, probeArgv);
  const agent = plan.wrapper.length > 0;
  log(`spawn baseline: ${plan.description}`);

  spawner = await createSpawner(scratch);
  log(`spawn baseline replicas: ${spawner.launcher.description}`);
  const ctx: BenchContext = { daemon, docker, http, plan, agent, spawner, quick, log };
  const phase = async (name: string, fn: () => Promise<Figure[] | Figure>) => {
    log(`${name}…`);
    const started = performance.now();
    const out = await fn();
    figures.push(...(Array.isArray(out) ? out : [out]));
    log(`${name} done in ${round((performance.now() - started) / 1000, 1)} s`);
  };

  if (only.has('run')) await phase('run_latency_ms', () => runLatency(ctx, settings.runs, settings.warmup));
  if (only.has('arm')) await phase('arm_requests_per_run', () => armPerRun(ctx, settings.armRuns));
  if (only.has('concurrent')) await phase('concurrent_runs_per_s', () => concurrentRuns(ctx, settings.concurrentReps, settings.concurrentContainers));
  if (only.has('logs')) await phase('log_latency_ms', () => logLatency(ctx, settings.logLines));
  // The running-minute window overlaps inspect, which makes no cloud calls and never holds the
  // event loop for long (ps can, so it comes after the window closes).
  const minute = only.has('minute') || only.has('inspect') ? await startMinuteWatch(ctx, settings.minuteMs) : undefined;
  if (only.has('inspect')) await phase('inspect_rps', () => inspectRps(ctx, minute!.containerId, settings.inspectReps, settings.inspectSeconds));
  if (minute && only.has('minute')) await phase('arm_reads_per_running_minute', async () => [await minute.finish()]);
  if (only.has('ps')) await phase('ps_ms_10k', () => psAndMemory(ctx, quick, settings.psLists, settings.psBudgetMs));
  http.close();
} catch (err) {
  failed = true;
  console.error(err);
  const { exited, stderrTail } = daemon.health();
  if (exited) console.error(`the daemon process had exited (${exited})`);
  if (stderrTail) console.error(`the daemon's stderr ended with:\n${stderrTail}`);
} finally {
  log('stopping the daemon');
  await daemon.stop();
  spawner?.close();
  rmSync(scratch, { recursive: true, force: true });
}

const order = ['run_latency_ms', 'run_ratio_vs_spawn', 'arm_requests_per_run', 'arm_reads_per_running_minute', 'concurrent_runs_per_s', 'concurrent_runs_p95_ms', 'inspect_rps', 'inspect_ratio_vs_bare', 'ps_ms_10k', 'rss_kb_per_container', 'log_latency_ms'];
figures.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
const took = round((performance.now() - t0) / 1000, 1);

console.log(`\nSockerless ACA bench (${quick ? 'quick' : 'full'}), ${new Date().toISOString()}, took ${took} s`);
console.log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}\n`);
console.log(renderTable(figures));
const missed = figures.filter((f) => f.target?.met === false).map((f) => f.name);
if (failed) console.log('\nthe bench FAILED (see the error above); the table holds what was measured before it');
else console.log(missed.length ? `\ntargets missed: ${[...new Set(missed)].join(', ')}` : '\nevery measured target met');

if (values.json) {
  writeFileSync(values.json, JSON.stringify({ quick, date: new Date().toISOString(), tookSeconds: took, machine, figures }, null, 2) + '\n');
  console.log(`JSON written to ${values.json}`);
}
if (failed) process.exitCode = 1;
