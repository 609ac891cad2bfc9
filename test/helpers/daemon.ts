// A real daemon on the embedded simulator, reached by the installed docker CLI and dockerode.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll } from 'vitest';
import { createLogger, type Logger } from '../../src/log';
import { parseSimulatorSettings, simulatorOptionsFrom } from '../../src/settings';
import type { SimulatorOptions } from '../../src/simulator';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../src/start';

export interface TestDaemon {
  running: RunningDaemon;
  socket: string;
  docker: Docker;
  /** Runs the docker CLI against the daemon; never throws, returns the exit code and output. */
  cli(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): Promise<void>;
}

export interface TestDaemonOptions {
  /** Merged over the default simulator options (stop grace 2 s; the run's profile, if any). */
  simulator?: SimulatorOptions;
  wrapCloud?: DaemonOptions['wrapCloud'];
  /** The container charts' clock (timers and timestamps; one the test moves); the real clock when unset. */
  clock?: DaemonOptions['clock'];
  /** The daemon's environment (e.g. SOCKERLESS_FETCH_IMAGE_CONFIG); empty by default. */
  env?: Record<string, string | undefined>;
  /** The daemon's logger (default: warnings and errors on stderr, or TEST_LOG_LEVEL). */
  logger?: Logger;
}

/**
 * The simulator a test daemon gets: the profile the test run asks for (SOCKERLESS_SIM_PROFILE,
 * SOCKERLESS_SIM_TIME_SCALE: the e2e-azure project), else instant with a 2 s stop grace. The
 * azure profile keeps its own grace (ACA's 30 s, time-scaled).
 */
function testSimulatorOptions(extra: SimulatorOptions | undefined): SimulatorOptions {
  const profile = simulatorOptionsFrom(parseSimulatorSettings(process.env));
  return { ...(profile.profile === 'azure' ? profile : { stopGraceMs: 2000, ...profile }), ...extra };
}

export async function startTestDaemon(opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'sockerless-test-'));
  const socket = join(dir, 'docker.sock');
  const running = await startDaemon({
    hosts: [`unix://${socket}`],
    dataRoot: join(dir, 'data'),
    // The CI pass with job reuse off sets SOCKERLESS_JOB_REUSE=off for the whole run.
    env: { ...(process.env.SOCKERLESS_JOB_REUSE && { SOCKERLESS_JOB_REUSE: process.env.SOCKERLESS_JOB_REUSE }), ...opts.env },
    logger: opts.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
    simulator: testSimulatorOptions(opts.simulator),
    wrapCloud: opts.wrapCloud,
    clock: opts.clock,
  });
  const docker = new Docker({ socketPath: socket });
  const cli: TestDaemon['cli'] = (args, opts = {}) =>
    new Promise((resolve) => {
      const child = execFile(
        'docker',
        args,
        { env: { PATH: process.env.PATH, HOME: dir, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: join(dir, 'docker-config') }, timeout: opts.timeoutMs ?? 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  return {
    running,
    socket,
    docker,
    cli,
    async close() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A daemon for the enclosing suite: started (and the images pulled) in its beforeAll, closed in
 * its afterAll. What it returns stands for that daemon, so it can be declared before it starts.
 */
export function useTestDaemon(opts?: TestDaemonOptions, setup: { pull?: string[] } = {}): TestDaemon {
  let current: TestDaemon | undefined;
  beforeAll(async () => {
    current = await startTestDaemon(opts);
    for (const image of setup.pull ?? []) await current.cli(['pull', image]);
  });
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestDaemon, {
    get(_, key) {
      if (!current) throw new Error('the test daemon is used before its beforeAll has started it');
      return current[key as keyof TestDaemon];
    },
  });
}
