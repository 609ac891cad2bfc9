// A standalone simulator and daemons as their own processes, as the README runs them: the
// simulator outlives the daemons, which can be killed (-9) or stopped (SIGTERM) and started again.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSX = ['--import', 'tsx'];

export interface Proc {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string>;
}

/** `node --import tsx …args` in the checkout, its output kept. */
export function run(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [...TSX, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, output: () => output, exited };
}

async function until<T>(what: string, proc: Proc, check: () => T | undefined): Promise<T> {
  let gone: number | string | undefined;
  void proc.exited.then((c) => (gone = c));
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (gone !== undefined) throw new Error(`${what}: the process exited (${gone}) first:\n${proc.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SimulatorProcess extends Proc {
  /** The settings `--write-env` wrote: what a daemon needs to run on this simulator. */
  env: Record<string, string>;
}

/** `npm run simulator -- --port 0 --write-env FILE …`, run by this Node; `extra`: more flags (e.g. `--profile azure`). */
export async function startSimulatorProcess(dir: string, visible: string, extra: string[] = []): Promise<SimulatorProcess> {
  const envFile = join(dir, 'simulator.env');
  const proc = run(['src/simulator/main.ts', '--port', '0', '--quiet', '--stop-grace-ms', '2000', '--ca-file', join(dir, 'ca.pem'), '--write-env', envFile, '--visible-path', visible, ...extra], process.env);
  const text = await until('simulator start', proc, () => (existsSync(envFile) ? readFileSync(envFile, 'utf8') : undefined));
  const env = Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { ...proc, env };
}

export interface DaemonProcess extends Proc {
  docker: Docker;
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `npm start -- -H tcp://127.0.0.1:PORT --data-root DIR` with `env`, until it listens. */
export async function startDaemonProcess(port: number, dataRoot: string, env: Record<string, string>, home: string): Promise<DaemonProcess> {
  const proc = run(['src/main.ts', '-H', `tcp://127.0.0.1:${port}`, '--data-root', dataRoot, '--log-level', 'warn'], { PATH: process.env.PATH, HOME: home, ...env });
  await until('daemon start', proc, () => (proc.output().includes('listening on') ? true : undefined));
  const host = `tcp://127.0.0.1:${port}`;
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('docker', args, { env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: host, DOCKER_CONFIG: join(home, '.docker') }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  return { ...proc, docker: new Docker({ host: '127.0.0.1', port }), cli };
}

/** Polls `check` every 100 ms until it gives a value (the test's own timeout bounds it). */
export async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
