import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

import { LineSplitter } from './line-splitter';
import type { LogStream } from './log-store';

export interface ProcessSpec {
  /** command ++ args; argv[0] is looked up in env.PATH. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export type ProcessEnd =
  /** exitCode is the process's code, or 128 + signal number when a signal ended it. */
  | { kind: 'exited'; exitCode: number }
  | { kind: 'spawnFailed'; exitCode: 126 | 127; message: string };

/** The message a container runtime gives for an entrypoint it cannot exec. */
function spawnFailure(command: string, err: NodeJS.ErrnoException): ProcessEnd {
  if (err.code === 'EACCES') return { kind: 'spawnFailed', exitCode: 126, message: `exec: "${command}": permission denied` };
  const detail = command.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
  return { kind: 'spawnFailed', exitCode: 127, message: `exec: "${command}": ${detail}` };
}

/**
 * One local process standing in for a replica's main container. It runs in its own process
 * group so signals reach everything it started.
 */
export class LocalProcess {
  readonly ended: Promise<ProcessEnd>;
  #child: ChildProcess;
  #exited = false;

  constructor(spec: ProcessSpec, onLine: (stream: LogStream, line: string) => void) {
    const [command, ...args] = spec.argv as [string, ...string[]];
    this.#child = spawn(command, args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const splitters: Record<LogStream, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    this.#child.stdout!.on('data', (chunk: Buffer) => splitters.stdout.push(chunk).forEach((l) => onLine('stdout', l)));
    this.#child.stderr!.on('data', (chunk: Buffer) => splitters.stderr.push(chunk).forEach((l) => onLine('stderr', l)));

    this.ended = new Promise<ProcessEnd>((resolve) => {
      let exitCode: number | undefined;
      this.#child.once('error', (err: NodeJS.ErrnoException) => {
        if (this.#child.pid === undefined) resolve(spawnFailure(command, err));
      });
      this.#child.once('exit', (code, signal) => {
        this.#exited = true;
        exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
        // The replica ends with its main process: orphans it left would keep the pipes open.
        this.#signalGroup('SIGKILL');
      });
      // 'close' comes after both pipes are drained, so every line has been handed over by then.
      this.#child.once('close', () => {
        if (exitCode === undefined) return;
        for (const stream of ['stdout', 'stderr'] as const) splitters[stream].flush().forEach((l) => onLine(stream, l));
        resolve({ kind: 'exited', exitCode });
      });
    });
  }

  get running(): boolean {
    return this.#child.pid !== undefined && !this.#exited;
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.#signalGroup(signal);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }
}
