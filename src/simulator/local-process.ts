import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

import { exitCodeOf, signalGroup, superviseChild } from './child-output';
import type { LogStream } from './log-store';
import { execFailureMessage } from './replica';
import type { ProcessEnd, ReplicaProcess } from './replica';

export type { ProcessEnd } from './replica';

export interface ProcessSpec {
  /** command ++ args; argv[0] is looked up in env.PATH. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

/**
 * One local process standing in for a replica's main container, unisolated. It runs in its own
 * process group so signals reach everything it started.
 */
export class LocalProcess implements ReplicaProcess {
  readonly ended: Promise<ProcessEnd>;
  readonly started: Promise<void>;
  #child: ChildProcess;
  #exited = false;

  constructor(spec: ProcessSpec, onLine: (stream: LogStream, line: string) => void) {
    const [command, ...args] = spec.argv as [string, ...string[]];
    this.#child = spawn(command, args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.started = new Promise((resolve) => this.#child.once('spawn', resolve));
    this.ended = superviseChild(this.#child, onLine, () => {
      this.#exited = true;
      // The replica ends with its main process: orphans it left would keep the pipes open.
      signalGroup(this.#child.pid, 'SIGKILL');
    }).then((end): ProcessEnd => {
      if (end.kind === 'exited') return { kind: 'exited', exitCode: exitCodeOf(end.code, end.signal) };
      const exitCode = end.error.code === 'EACCES' ? 126 : 127;
      return { kind: 'spawnFailed', exitCode, message: execFailureMessage(command, exitCode) };
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.pid !== undefined && !this.#exited;
  }

  /** Sends `signal` to the whole process group. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) signalGroup(this.#child.pid, signal);
  }
}
