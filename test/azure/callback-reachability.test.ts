// Issue 15 row 15: a daemon whose jobs get the agent by image, on a target it does not embed,
// refuses at start an agent callback those jobs could not dial (a unix socket, a loopback
// address), with the remedy. Configured as a user would: `npm run simulator -- --profile azure
// --write-env FILE` as its own process, then `npm start` with that file's settings and the agent
// image, also as its own process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, run, startDaemonProcess, startSimulatorProcess, type SimulatorProcess } from '../persistence/processes';

const REMEDY = 'set SOCKERLESS_CALLBACK_URL to a ws:// or wss:// URL of this daemon that replicas in the ACA environment can reach';

describe('the agent callback, against a standalone simulator in the azure profile', () => {
  let dir: string;
  let sim: SimulatorProcess;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sockerless-callback-'));
    sim = await startSimulatorProcess(dir, dir, ['--profile', 'azure', '--time-scale', '0.05']);
    // The simulator's settings, with the agent as Azure gets it (by image) instead of its local one.
    const { SOCKERLESS_AGENT: _local, ...aca } = sim.env;
    env = { PATH: process.env.PATH!, HOME: dir, ...aca, SOCKERLESS_AGENT_IMAGE: 'myacr.azurecr.io/sockerless-agent:1' };
  }, 60_000);
  afterAll(async () => {
    sim?.child.kill('SIGTERM');
    await sim?.exited;
    await rm(dir, { recursive: true, force: true });
  });

  /** `npm start -- -H …` until it exits, or listens (then stopped: `code` is 'listening'); what it printed. */
  async function refusedStart(host: string, extra: Record<string, string>, name: string) {
    const proc = run(['src/main.ts', '-H', host, '--data-root', join(dir, name)], { ...env, ...extra });
    let exited: number | string | undefined;
    void proc.exited.then((c) => (exited = c));
    while (exited === undefined && !proc.output().includes('listening on')) await new Promise((r) => setTimeout(r, 100));
    if (exited !== undefined) return { code: exited, output: proc.output() };
    proc.child.kill('SIGTERM');
    await proc.exited;
    return { code: 'listening', output: proc.output() };
  }

  it('refuses the unix socket it would derive from its only listener, naming it and the remedy', async () => {
    const socket = join(dir, 'daemon.sock');
    const { code, output } = await refusedStart(`unix://${socket}`, {}, 'unix');
    expect(code).toBe(1);
    expect(output).toContain(`sockerless-aca: SOCKERLESS_CALLBACK_URL is not set, and the agent callback ws+unix://${socket}:/agent is a unix socket, which a job running on Azure cannot reach: ${REMEDY}`);
  }, 60_000);

  it('refuses a loopback SOCKERLESS_CALLBACK_URL, with the remedy', async () => {
    const { code, output } = await refusedStart(`unix://${join(dir, 'b.sock')}`, { SOCKERLESS_CALLBACK_URL: 'ws://127.0.0.1:2375/agent' }, 'loopback');
    expect(code).toBe(1);
    expect(output).toContain(`sockerless-aca: the agent callback ws://127.0.0.1:2375/agent is a loopback address, which a job running on Azure cannot reach: ${REMEDY}`);
  }, 60_000);

  it('starts with a callback replicas can reach, and with the simulator\'s own setting (SOCKERLESS_AGENT=local)', async () => {
    for (const [name, extra] of [['reachable', { SOCKERLESS_CALLBACK_URL: 'wss://sockerless.example.com/agent' }], ['local', { SOCKERLESS_AGENT: 'local' }]] as const) {
      const daemon = await startDaemonProcess(await freePort(), join(dir, name), { ...env, ...extra }, dir);
      try {
        expect(daemon.output()).toContain('Containers run on ACA environment');
        expect((await daemon.cli(['version', '--format', '{{.Server.Os}}'])).stdout).toBe('linux\n');
      } finally {
        daemon.child.kill('SIGTERM');
        await daemon.exited;
      }
    }
  }, 90_000);
});
