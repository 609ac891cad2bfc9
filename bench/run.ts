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
import { dockerRunRm } from './client';
import { startDaemonProcess, statsDelta } from './daemon-process';
import { renderTable, round, type Figure } from './figure';
import { armPerRun, startMinuteWatch, type MinuteWatch } from './figures/arm';
import { azureRunLatency } from './figures/azure-floor';
import { concurrentRuns } from './figures/concurrent';
import { imagePull } from './figures/image-pull';
import { inspectRps } from './figures/inspect';
import { logLatency } from './figures/logs';
import { psAndMemory } from './figures/ps';
import { peerForward } from './figures/peer-forward';
import { portForward } from './figures/port-forward';
import { agentImage } from './figures/agent-image';
import { runLatency } from './figures/run-latency';
import { createSpawner, planFromJob, type Spawner } from './spawn-baseline';

const GROUPS = ['run', 'image', 'agent', 'arm', 'concurrent', 'logs', 'ports', 'minute', 'inspect', 'ps'] as const;
type Group = (typeof GROUPS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    'cpu-prof': { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'string', default: 'instant' },
    'time-scale': { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  console.log(`Usage: npm run bench -- [--quick] [--json FILE] [--cpu-prof DIR] [--only ${GROUPS.join(',')}]

Starts a daemon on the embedded simulator (loopback) and prints what users feel, each figure beside
a comparison measured in the same run. --quick takes about a minute; the full run under five.
--cpu-prof writes a V8 CPU profile of the daemon process into DIR (read it with bench/profile-top.ts).
--profile azure [--time-scale S] runs the simulator's azure profile (Azure's delays, S times) and
measures run_latency_ms beside the floor the profile imposes (5 runs; 3 with --quick).`);
  process.exit(0);
}

const azure = values.profile === 'azure';
if (!azure && values.profile !== 'instant') throw new Error(`--profile: instant or azure, not ${values.profile}`);
const timeScale = Number(values['time-scale']);
if (!(timeScale > 0)) throw new Error(`--time-scale must be a positive number, not ${values['time-scale']}`);
if (azure) {
  // The daemon process inherits these: its embedded simulator runs the azure profile.
  process.env.SOCKERLESS_SIM_PROFILE = 'azure';
  process.env.SOCKERLESS_SIM_TIME_SCALE = String(timeScale);
}
// On the azure profile only the run figure is meaningful in bench time (one run takes a minute at full scale).
const only = new Set<Group>(values.only ? (values.only.split(',') as Group[]) : azure ? ['run'] : GROUPS);
for (const g of only) if (!GROUPS.includes(g)) throw new Error(`--only: unknown group ${g}; known: ${GROUPS.join(', ')}`);
const quick = values.quick;

const settings = quick
  ? { runs: 30, warmup: 3, armRuns: 3, concurrentReps: 1, concurrentContainers: 100, logLines: 200, minuteMs: 10_000, inspectReps: 1, inspectSeconds: 3, psLists: 3, psBudgetMs: 12_000 }
  : { runs: 40, warmup: 5, armRuns: 5, concurrentReps: 1, concurrentContainers: 200, logLines: 200, minuteMs: 60_000, inspectReps: 2, inspectSeconds: 10, psLists: 5, psBudgetMs: 150_000 };

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

const scratch = mkdtempSync(join(tmpdir(), 'sockerless-bench-spawn-'));
const spawner: Spawner = await createSpawner(scratch);
log(`spawn baseline replicas: ${spawner.launcher.description}`);
const figures: Figure[] = [];
const failures: string[] = [];

/** A daemon ready for the figures: started, alpine pulled, and its job command read (agent or not). */
async function boot(): Promise<BenchContext> {
  log(`starting the daemon (${quick ? 'quick' : 'full'} run)`);
  const daemon = await startDaemonProcess({ cpuProfileDir: values['cpu-prof'] });
  try {
    const docker = new Docker({ host: daemon.host, port: daemon.port });
    const http = new HttpClient(daemon.host, daemon.port);
    log(`daemon pid ${daemon.pid} at ${daemon.url}; simulator at ${daemon.simulatorUrl}`);
    await new Promise<void>((resolve, reject) =>
      docker.pull(IMAGE, (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))),
    );
    // Does the daemon wrap the user's command in the agent? Read the job it makes.
    // The first run of the job shape, measured before anything else ran (job reuse: its cold run).
    const beforeCold = await daemon.simulatorStats();
    await dockerRunRm(docker, IMAGE, ['true']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const coldRun = statsDelta(beforeCold, await daemon.simulatorStats());
    const probeArgv = ['sleep', '30'];
    const probe = await docker.createContainer({ Image: IMAGE, Cmd: probeArgv });
    await probe.start();
    // Its own job, or the job its shape shares (job reuse): inspect names it either way.
    const jobName = ((await probe.inspect()) as unknown as { Aca: { JobName: string } }).Aca.JobName;
    const job = (await daemon.simulatorJobs()).find((j) => j.job.name === jobName);
    await probe.remove({ force: true });
    if (!job) throw new Error(`no simulator job ${jobName} after starting the probe container`);
    const plan = planFromJob(job, probeArgv);
    log(`spawn baseline: ${plan.description}`);
    return { daemon, docker, http, plan, agent: plan.wrapper.length > 0, spawner, quick, log, coldRun };
  } catch (err) {
    await daemon.stop();
    throw err;
  }
}

async function shutdown(ctx: BenchContext): Promise<void> {
  log('stopping the daemon');
  ctx.http.close();
  await ctx.daemon.stop();
}

let ctx: BenchContext | undefined;
/**
 * Runs one group of figures. If it fails, its figures are reported as failed with the reason;
 * if the daemon crashed, a fresh one serves the groups after it.
 */
async function phase(name: string, names: string[], fn: (ctx: BenchContext) => Promise<Figure[] | Figure>): Promise<void> {
  log(`${name}…`);
  const started = performance.now();
  try {
    ctx ??= await boot();
    const current = ctx;
    const rejectionsBefore = current.daemon.unhandledRejections().length;
    // A daemon that crashes fails the phase at once, instead of leaving requests that never end.
    const out = await Promise.race([fn(current), current.daemon.died]);
    const rejections = current.daemon.unhandledRejections().slice(rejectionsBefore);
    if (rejections.length) throw new Error(`${rejections.length} unhandled promise rejection(s) in the daemon, the first: ${rejections[0]}`);
    figures.push(...(Array.isArray(out) ? out : [out]));
    log(`${name} done in ${round((performance.now() - started) / 1000, 1)} s`);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    console.error(`[bench] ${name} FAILED:`, err);
    const lines = message.split('\n');
    const cause = lines.filter((l) => /^[A-Za-z]*Error: /.test(l.trim())).at(-1)?.trim();
    const first = lines[0]!.replace(/; its stderr ended with:$/, '');
    const reason = cause && !first.includes(cause) ? `${first}: ${cause}` : first;
    failures.push(`${name}: ${reason}`);
    for (const figure of names) figures.push({ name: figure, value: null, unit: '', samples: 0, target: { text: 'measured', met: false }, note: `FAILED: ${reason.slice(0, 300)}` });
    if (ctx) {
      const crashed = ctx.daemon.health().exited;
      if (crashed) console.error(`[bench] the daemon had exited (${crashed}); the next group starts a new one`);
      await shutdown(ctx).catch(() => {});
      ctx = undefined;
    }
  }
}

try {
  if (only.has('run') && azure) await phase('run_latency_ms', ['run_latency_ms', 'run_overhead_vs_floor'], (c) => azureRunLatency(c, quick ? 3 : 5, 1, timeScale));
  else if (only.has('run')) await phase('run_latency_ms', ['run_latency_ms', 'run_ratio_vs_spawn'], (c) => runLatency(c, settings.runs, settings.warmup));
  if (only.has('image')) await phase('image_pull_ms', ['image_pull_ms', 'run_latency_cached_image_ms'], (c) => imagePull(c, Math.min(settings.runs, 20)));
  // Root only: the simulator runs registry images in their own root filesystems.
  if (only.has('agent') && process.getuid?.() === 0) {
    await phase('agent_artifact_mb', ['agent_artifact_mb', 'run_latency_injected_ms'], (c) => agentImage(c, quick ? 10 : 20, 2));
  }
  if (only.has('arm')) await phase('arm_requests_per_run', ['arm_requests_per_run'], (c) => armPerRun(c, settings.armRuns));
  if (only.has('concurrent')) {
    await phase('concurrent_runs_per_s', ['concurrent_runs_per_s'], (c) => concurrentRuns(c, settings.concurrentReps, settings.concurrentContainers));
  }
  if (only.has('logs')) await phase('log_latency_ms', ['log_latency_ms'], (c) => logLatency(c, settings.logLines));
  if (only.has('ports')) await phase('port_forward', ['port_forward_mbps', 'port_forward_rtt_ms'], (c) => portForward(c));
  if (only.has('ports')) await phase('peer_forward', ['peer_forward_mbps'], (c) => peerForward(c));
  // The running-minute window overlaps inspect, which makes no cloud calls and never holds the
  // event loop for long (ps can, so it comes after the window closes).
  if (only.has('minute') || only.has('inspect')) {
    let minute: MinuteWatch | undefined;
    await phase('arm_reads_per_running_minute (start)', only.has('minute') ? ['arm_reads_per_running_minute'] : [], async (c) => {
      minute = await startMinuteWatch(c, settings.minuteMs);
      return [];
    });
    if (minute && only.has('inspect')) await phase('inspect_rps', ['inspect_rps', 'inspect_ratio_vs_bare'], (c) => inspectRps(c, minute!.containerId, settings.inspectReps, settings.inspectSeconds));
    if (minute && only.has('minute')) await phase('arm_reads_per_running_minute', ['arm_reads_per_running_minute'], async () => [await minute!.finish()]);
  }
  if (only.has('ps')) await phase('ps_ms_10k', ['ps_ms_10k', 'rss_kb_per_container'], (c) => psAndMemory(c, quick, settings.psLists, settings.psBudgetMs));
} finally {
  if (ctx) await shutdown(ctx);
  spawner.close();
  rmSync(scratch, { recursive: true, force: true });
}
const failed = failures.length > 0;

const order = ['run_latency_ms', 'run_overhead_vs_floor', 'run_ratio_vs_spawn', 'image_pull_ms', 'run_latency_cached_image_ms', 'agent_artifact_mb', 'run_latency_injected_ms', 'arm_requests_per_run', 'arm_reads_per_running_minute', 'concurrent_runs_per_s', 'concurrent_runs_p95_ms', 'inspect_rps', 'inspect_ratio_vs_bare', 'ps_ms_10k', 'rss_kb_per_container', 'log_latency_ms', 'port_forward_mbps', 'port_forward_rtt_ms'];
figures.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
const took = round((performance.now() - t0) / 1000, 1);

console.log(`\nSockerless ACA bench (${quick ? 'quick' : 'full'}${azure ? `, azure profile, time scale ${timeScale}` : ''}), ${new Date().toISOString()}, took ${took} s`);
console.log(`machine: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}\n`);
console.log(renderTable(figures));
const missed = figures.filter((f) => f.target?.met === false && f.value !== null).map((f) => f.name);
if (failed) console.log(`\nFAILED: ${failures.join('; ')}`);
console.log(missed.length ? `\ntargets missed: ${[...new Set(missed)].join(', ')}` : '\nevery measured target met');

if (values.json) {
  writeFileSync(values.json, JSON.stringify({ quick, date: new Date().toISOString(), tookSeconds: took, machine, figures }, null, 2) + '\n');
  console.log(`JSON written to ${values.json}`);
}
if (failed) process.exitCode = 1;
