// The daemon under test, as its own process (`node --import tsx src/main.ts`), so its RSS can be
// read from /proc and the load generators don't share its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulatorStats } from '../src/simulator/stats';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** How bench/unhandled-tap.mjs, preloaded into the daemon, marks an unhandled rejection on its stderr. */
const MARK = '[bench-tap] unhandled rejection:';

export interface DaemonProcess {
  pid: number;
  host: string;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  /** The embedded simulator's https URL (its /_simulator routes are unauthenticated and uncounted). */
  simulatorUrl: string;
  /** VmRSS of the daemon process, kB. */
  rssKb(): number;
  simulatorStats(): Promise<SimulatorStats>;
  /** The simulator's jobs with their executions, as its /_simulator/jobs route serves them. */
  simulatorJobs(): Promise<SimulatorJob[]>;
  /** Rejects if the daemon exits before stop() (a crash), with its exit and the tail of its stderr. */
  died: Promise<never>;
  /** The daemon's exit code or signal if it has exited, and the tail of its stderr. */
  health(): { exited: string | undefined; stderrTail: string };
  /** Every unhandled promise rejection in the daemon so far (the first line of each). */
  unhandledRejections(): string[];
  /**
   * SIGTERM, then SIGKILL after 20 s (120 s when writing a CPU profile: with 10,000 containers the
   * daemon needs about 40 s to stop its actors); resolves once the process is gone.
   */
  stop(): Promise<void>;
}

export interface SimulatorJob {
  job: {
    name: string;
    properties: {
      template: {
        containers: { name: string; command?: string[]; args?: string[]; env?: { name: string; value?: string; secretRef?: string }[] }[];
      };
    };
  };
  executions: { name: string; properties: { status: string } }[];
}

export interface DaemonProcessOptions {
  /** Write a V8 CPU profile of the daemon into this directory (node --cpu-prof). */
  cpuProfileDir?: string;
  /** Copy the daemon's stdout (after its start-up lines) to ours, e.g. with --trace-gc. */
  echoStdout?: boolean;
  /** Copy the daemon's stderr (its warnings and errors) to ours. */
  echoStderr?: boolean;
  /** Extra node flags for the daemon process. */
  nodeFlags?: string[];
  /** Settings added to the daemon's environment (e.g. SOCKERLESS_AGENT=image). */
  env?: NodeJS.ProcessEnv;
}

// The simulator's certificate is self-signed and made per run; these reads are loopback-only.
// No keep-alive: a socket the server closed while idle would fail the next read (ECONNRESET).
const insecure = new Agent({ keepAlive: false, rejectUnauthorized: false });

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: insecure }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url}: ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export function readRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

export async function startDaemonProcess(opts: DaemonProcessOptions = {}): Promise<DaemonProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'sockerless-bench-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The embedded simulator, whatever the shell has configured.
  for (const k of Object.keys(env)) if (k.startsWith('SOCKERLESS_ACA_')) delete env[k];
  Object.assign(env, opts.env);
  const flags = ['--import', fileURLToPath(new URL('./unhandled-tap.mjs', import.meta.url)), ...(opts.nodeFlags ?? [])];
  if (opts.cpuProfileDir) flags.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`);
  const child: ChildProcess = spawn(
    process.execPath,
    [...flags, '--import', 'tsx', 'src/main.ts', '-H', 'tcp://127.0.0.1:0', '--data-root', join(dir, 'data'), '--log-level', 'warn'],
    // Its own process group: whatever the daemon signals as a group (its replicas) never reaches the bench.
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  // The daemon is not left behind if the bench dies.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  let partial = '';
  const unhandled: string[] = [];
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    if (opts.echoStderr) process.stderr.write(c);
    const lines = (partial + c).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith(MARK)) unhandled.push(line.slice(MARK.length).trim());
    stderr += c;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });

  const ready = await new Promise<{ host: string; port: number; simulatorUrl: string }>((resolve, reject) => {
    let out = '';
    let simulatorUrl: string | undefined;
    const timer = setTimeout(() => reject(new Error(`daemon did not start in 60 s:\n${out}\n${stderr}`)), 60_000);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      simulatorUrl ??= /simulator at (https:\/\/\S+)/.exec(out)?.[1];
      const listening = /listening on tcp:\/\/([\d.]+):(\d+)/.exec(out);
      if (listening && simulatorUrl) {
        clearTimeout(timer);
        resolve({ host: listening[1]!, port: Number(listening[2]), simulatorUrl });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before listening:\n${out}\n${stderr}`));
    });
  });
  if (opts.echoStdout) child.stdout!.on('data', (c: string) => process.stdout.write(c));
  child.stdout!.resume();
  const pid = child.pid!;
  let stopping = false;
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`the daemon process exited during the bench (${signal ?? `exit code ${code}`}); its stderr ended with:\n${stderr.slice(-4000)}`));
    });
  });
  died.catch(() => {}); // observed through race() by the bench

  return {
    pid,
    ...ready,
    url: `http://${ready.host}:${ready.port}`,
    rssKb: () => readRssKb(pid),
    unhandledRejections: () => [...unhandled],
    health: () => ({
      exited: child.exitCode !== null ? `exit code ${child.exitCode}` : child.signalCode !== null ? `signal ${child.signalCode}` : undefined,
      stderrTail: stderr.slice(-4000),
    }),
    simulatorStats: () => getJson<SimulatorStats>(`${ready.simulatorUrl}/_simulator/stats`),
    simulatorJobs: async () => (await getJson<{ jobs: SimulatorJob[] }>(`${ready.simulatorUrl}/_simulator/jobs`)).jobs,
    died,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.cpuProfileDir ? 120_000 : 20_000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', reap);
      insecure.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What changed in the simulator's counters between two snapshots. */
export function statsDelta(before: SimulatorStats, after: SimulatorStats): SimulatorStats {
  const byOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.byOperation)) {
    const d = n - (before.byOperation[op] ?? 0);
    if (d !== 0) byOperation[op] = d;
  }
  return { byOperation, reads: after.reads - before.reads, writes: after.writes - before.writes };
}

/** Log Analytics operations: the simulator counts them as reads, but they are not ARM requests. */
export const LOG_QUERY_OPERATIONS = new Set(['Query_Execute', 'Query_Get']);

export function armReads(stats: SimulatorStats): number {
  let logQueries = 0;
  for (const op of LOG_QUERY_OPERATIONS) logQueries += stats.byOperation[op] ?? 0;
  return stats.reads - logQueries;
}

export function logQueries(stats: SimulatorStats): number {
  let n = 0;
  for (const op of LOG_QUERY_OPERATIONS) n += stats.byOperation[op] ?? 0;
  return n;
}
