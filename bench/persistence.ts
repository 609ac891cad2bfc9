// npm run bench:persistence [-- --lifecycles 2000 --restore 1000 --reps 5]
// The cost of the persistent store, measured in-process on a cloud double that answers at once
// (so the daemon's own work is all that is timed): each container lifecycle (create → start →
// exit → remove) with the store on and off, and the time to restore N containers at start.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { waitFor } from 'xstate';
import type { ContainerInput } from '../machines/container';
import type { Cloud, ExecutionEnd, JobSpec } from '../src/aca/cloud';
import { Daemon, type ContainerRef } from '../src/daemon/daemon';
import { openPersistedState, type PersistedState } from '../src/daemon/persisted-state';
import type { Durability } from '../src/store';
import { createLogger } from '../src/log';
import { renderTable, round, type Figure } from './figure';

const { values } = parseArgs({
  options: {
    lifecycles: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '20' },
    restore: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '5' },
    // For profiling one mode: --only normal (the table then has only what was measured).
    only: { type: 'string' },
  },
});
const LIFECYCLES = Number(values.lifecycles);
const CONCURRENCY = Number(values.concurrency);
const RESTORE = Number(values.restore);
const REPS = Number(values.reps);
const logger = createLogger('silent');

/** A cloud that answers at once; with `endAtOnce` false an execution runs until it is stopped. */
function instantCloud(endAtOnce: boolean): Cloud {
  const stops = new Map<string, (end: ExecutionEnd) => void>();
  return {
    runJob: async (spec: JobSpec) => ({ jobName: spec.jobName, executionName: `${spec.jobName}-exec` }),
    putJob: async () => {},
    startExecution: async (spec: JobSpec) => ({ jobName: spec.jobName, executionName: `${spec.jobName}-exec` }),
    waitForEnd: (e) => (endAtOnce ? Promise.resolve({ status: 'Succeeded', exitCode: 0 }) : new Promise((resolve) => stops.set(e.executionName, resolve))),
    stopExecution: async (e) => stops.get(e.executionName)?.({ status: 'Stopped', exitCode: 137 }),
    deleteJob: async () => {},
    queryLogs: async () => [],
    onChange: () => () => {},
    listManagedJobs: async () => [],
    listExecutions: async () => [],
  };
}

function boot(dataRoot: string, mode: Durability | 'off', cloud: Cloud): { state: PersistedState; daemon: Daemon } {
  const state = openPersistedState({ dataRoot, enabled: mode !== 'off', durability: mode === 'off' ? undefined : mode, logger });
  const daemon = state.restore(() => new Daemon({
    cloud,
    ...state.daemon(cloud),
    events: state.events,
    // The daemon always has an inspection observer (the live UI's hub), so the store-off runs get one too.
    inspect: state.inspect(() => {}),
    image: (_id, asGiven) => ({ reference: asGiven, env: [] }),
    jobDefaults: { cpu: 1, memory: '2Gi', replicaTimeout: 600 },
    agent: { launch: { kind: 'off' }, callbackUrl: () => undefined, heartbeatMs: 5_000, agentWaitMs: 1_000, liveLogBytes: 1024 },
  }));
  return { state, daemon };
}

function shutdown({ state, daemon }: { state: PersistedState; daemon: Daemon }): void {
  state.pause();
  daemon.stop();
  state.close();
}

let serial = 0;
function input(): ContainerInput {
  const n = ++serial;
  const id = n.toString(16).padStart(64, '0');
  return {
    id, name: `/bench-${n}`, created: new Date().toISOString(), imageId: `sha256:${'a'.repeat(64)}`,
    config: {
      Hostname: id.slice(0, 12), Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false,
      OpenStdin: false, StdinOnce: false, Env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8'], Cmd: ['sh', '-c', 'echo hello'], Entrypoint: null,
      Image: 'alpine', WorkingDir: '', Labels: { 'com.example.bench': 'persistence', run: String(n) }, ExposedPorts: null,
    },
    hostConfig: { AutoRemove: false, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, NetworkMode: 'default' },
  };
}

const find = (daemon: Daemon, id: string): ContainerRef => daemon.find(id) as ContainerRef;

async function lifecycle(daemon: Daemon): Promise<void> {
  const i = input();
  if ((await daemon.create(i)).outcome !== 'created') throw new Error('create failed');
  const ref = find(daemon, i.id);
  const started = await daemon.ask(ref, { type: 'START' });
  if (started.outcome !== 'noContent') throw new Error(`start answered ${started.outcome}`);
  await waitFor(ref, (s) => s.hasTag('exited'));
  const removed = await daemon.ask(ref, { type: 'REMOVE', force: false });
  if (removed.outcome !== 'noContent') throw new Error(`remove answered ${removed.outcome}`);
}

interface Cost {
  /** Wall time per lifecycle, µs (includes fsync waits, and other processes' share of the CPU). */
  wall: number;
  /** CPU time (user + system) of this process per lifecycle, µs: what the daemon spends. */
  cpu: number;
}

/** Cost per lifecycle, `LIFECYCLES` of them with `CONCURRENCY` under way at a time. */
async function lifecycles(mode: Durability | 'off'): Promise<Cost> {
  const dir = mkdtempSync(join(tmpdir(), 'sockerless-bench-persist-'));
  const booted = boot(dir, mode, instantCloud(true));
  for (let i = 0; i < 50; i++) await lifecycle(booted.daemon); // warm-up
  let left = LIFECYCLES;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (left-- > 0) await lifecycle(booted.daemon);
  }));
  const cpu = process.cpuUsage(cpu0);
  const cost = { wall: ((performance.now() - t0) * 1000) / LIFECYCLES, cpu: (cpu.user + cpu.system) / LIFECYCLES };
  shutdown(booted);
  rmSync(dir, { recursive: true, force: true });
  return cost;
}

/** Fills a data root with `count` containers: a third created, a third running, a third exited. */
async function populate(dir: string, count: number): Promise<number> {
  const booted = boot(dir, 'normal', instantCloud(false));
  for (let i = 0; i < count; i++) {
    const c = input();
    await booted.daemon.create(c);
    if (i % 3 === 0) continue;
    const ref = find(booted.daemon, c.id);
    await booted.daemon.ask(ref, { type: 'START' });
    if (i % 3 === 2) await booted.daemon.ask(ref, { type: 'KILL', signal: 'SIGKILL' });
  }
  shutdown(booted);
  return statSync(join(dir, 'sockerless.db')).size;
}

/** Milliseconds from opening the store to every actor restored and resumed (the API could listen then). */
function restoreOnce(dir: string): Cost {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const booted = boot(dir, 'normal', instantCloud(false));
  const cpu = process.cpuUsage(cpu0);
  const ms = { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
  if (booted.daemon.containers().length !== RESTORE) throw new Error(`restored ${booted.daemon.containers().length}, not ${RESTORE}`);
  shutdown(booted);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const figures: Figure[] = [];
  const runs: Record<'off' | Durability, Cost[]> = { off: [], normal: [], full: [] };
  for (let r = 0; r < REPS; r++) {
    for (const mode of ['off', 'normal', 'full'] as const) if (!values.only || values.only === mode) runs[mode].push(await lifecycles(mode));
    if (values.only) {
      const c = runs[values.only as 'off' | Durability].at(-1)!;
      console.error(`[bench:persistence] ${values.only}: ${round(c.cpu)} µs CPU / ${round(c.wall)} µs wall per lifecycle`);
      continue;
    }
    const last = (m: 'off' | Durability) => `${round(runs[m].at(-1)!.cpu)} µs CPU / ${round(runs[m].at(-1)!.wall)} µs wall`;
    console.error(`[bench:persistence] lifecycles, repetition ${r + 1}/${REPS}: off ${last('off')}, normal ${last('normal')}, full ${last('full')}`);
  }
  if (values.only) return;
  const cpu = (m: 'off' | Durability) => median(runs[m].map((c) => c.cpu));
  const wall = (m: 'off' | Durability) => median(runs[m].map((c) => c.wall));
  const extra = (m: Durability) => `+${round(cpu(m) - cpu('off'))} µs CPU (${round(((cpu(m) - cpu('off')) / cpu('off')) * 100, 1)}%)`;
  figures.push({
    name: 'CPU per lifecycle create→start→exit→remove, store on (WAL, synchronous=NORMAL)',
    value: round(cpu('normal')), unit: 'µs', samples: REPS, comparison: { label: 'store off', value: round(cpu('off')), unit: 'µs' },
    note: `${extra('normal')}; wall ${round(wall('normal'))} vs ${round(wall('off'))} µs; ${LIFECYCLES} lifecycles, ${CONCURRENCY} at a time, instant cloud double`,
  });
  figures.push({
    name: 'CPU per lifecycle, store on with fsync per commit (SOCKERLESS_STORE_DURABILITY=full)',
    value: round(cpu('full')), unit: 'µs', samples: REPS, comparison: { label: 'store off', value: round(cpu('off')), unit: 'µs' },
    note: `${extra('full')}; wall ${round(wall('full'))} vs ${round(wall('off'))} µs (the fsyncs wait on the disk, not the CPU)`,
  });

  const dir = mkdtempSync(join(tmpdir(), 'sockerless-bench-restore-'));
  const bytes = await populate(dir, RESTORE);
  console.error(`[bench:persistence] ${RESTORE} containers stored; restoring`);
  const restores = Array.from({ length: REPS }, () => restoreOnce(dir));
  const walls = restores.map((r) => r.wall);
  figures.push({
    name: `restore ${RESTORE} containers at start (store open → actors restored and resumed)`,
    value: round(median(walls), 1), unit: 'ms', samples: REPS,
    note: `CPU ${round(median(restores.map((r) => r.cpu)), 1)} ms; a third each created, running (execution re-watched), exited; store ${round(bytes / 1024 / 1024, 1)} MiB; wall min ${round(Math.min(...walls), 1)}, max ${round(Math.max(...walls), 1)} ms`,
  });
  rmSync(dir, { recursive: true, force: true });
  console.log(renderTable(figures));
}

await main();
