import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';

import { exitCodeOf, signalGroup, superviseChild } from '../child-output';
import { LineSplitter } from '../line-splitter';
import type { LogStream } from '../log-store';
import { execFailureMessage } from '../replica';
import type { ProcessEnd, ReplicaProcess } from '../replica';
import { isLauncherArgv } from './launcher-script';
import { endsByDefault, processArgv, signalDisposition } from './proc';

type Failure = { code: 125 | 126 | 127; reason: string };

/**
 * A replica's main container as PID 1 of its own PID namespace, started through the launcher
 * (launcherArgv). The launcher's fd 2 is its status pipe (the host pid of that PID 1, any setup
 * failure, unshare's own complaints); the replica's stderr is fd 3.
 *
 * Signals: the kernel drops a signal sent to a namespace's PID 1 unless it has a handler (only
 * SIGKILL always lands). That is why the agent acts as init. For a plain command as PID 1 — no
 * agent — a signal it catches is delivered; one it ignores stays without effect, as for any
 * process; one whose default action would end a process ends it: the namespace is SIGKILLed and
 * the exit code reported is the one that signal gives (143 for SIGTERM), as under `docker run
 * --init`. So `stop` on `sleep` ends at once with 143, and on `trap '' TERM` after the grace, with 137.
 *
 * unshare (util-linux 2.38) cannot pass on a child's death by SIGKILL: it tries to re-raise it,
 * fails, says so on its stderr and exits 1. That line, after a SIGKILL the simulator sent, is read
 * as the death by SIGKILL it reports.
 */
export class IsolatedProcess implements ReplicaProcess {
  readonly ended: Promise<ProcessEnd>;
  readonly started: Promise<void>;
  #markStarted!: () => void;
  #child: ChildProcess;
  #exited = false;
  /** The namespace's PID 1, as the host numbers it. */
  #initPid: number | undefined;
  /** True once the launcher handed over to the command; signals wait for that. */
  #execed = false;
  #pending: NodeJS.Signals[] = [];
  /** The signal a plain PID 1 was ended for, by SIGKILL on its behalf. */
  #endedFor: NodeJS.Signals | undefined;
  #failure: Failure | undefined;
  #diagnostics: string[] = [];
  #sentKill = false;
  #onInitPid: ((pid: number) => void) | undefined;

  constructor(argv: readonly string[], env: Record<string, string>, command: string, onLine: (stream: LogStream, line: string) => void, onInitPid?: (pid: number) => void) {
    this.#onInitPid = onInitPid;
    const [file, ...args] = argv as [string, ...string[]];
    this.started = new Promise((resolve) => (this.#markStarted = resolve));
    this.#child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], detached: true });
    const status = new LineSplitter();
    this.#child.stderr?.on('data', (chunk: Buffer) => status.push(chunk).forEach((line) => this.#status(line)));
    const pipes = { stdout: this.#child.stdout, stderr: this.#child.stdio[3] as Readable | null };
    const onExit = () => {
      this.#exited = true;
      signalGroup(this.#child.pid, 'SIGKILL');
    };
    this.ended = superviseChild(this.#child, onLine, onExit, pipes).then((end): ProcessEnd => {
      status.flush().forEach((line) => this.#status(line));
      if (end.kind === 'spawnError') return { kind: 'spawnFailed', exitCode: 125, message: `cannot start the replica launcher: ${end.error.message}` };
      const failure = this.#failure ?? this.#launcherGaveUp(end.code, end.signal);
      if (failure?.code === 125) {
        const detail = this.#diagnostics.length ? `: ${this.#diagnostics.join('; ')}` : '';
        return { kind: 'spawnFailed', exitCode: 125, message: `replica setup failed (${failure.reason})${detail}` };
      }
      if (failure) return { kind: 'spawnFailed', exitCode: failure.code, message: execFailureMessage(command, failure.code) };
      const killed = end.signal === 'SIGKILL' || (this.#sentKill && end.code === 1 && this.#diagnostics.some((l) => l.startsWith('unshare:')));
      if (killed) return { kind: 'exited', exitCode: 128 + constants.signals[this.#endedFor ?? 'SIGKILL'] };
      return { kind: 'exited', exitCode: exitCodeOf(end.code, end.signal) };
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.pid !== undefined && !this.#exited;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    if (signal === 'SIGKILL') {
      // PID 1 dying takes the namespace with it; the group covers a launcher not yet forked.
      this.#sentKill = true;
      if (this.#initPid !== undefined) this.#kill(this.#initPid, 'SIGKILL');
      signalGroup(this.#child.pid, 'SIGKILL');
    } else if (this.#initPid === undefined || !this.#execed) {
      this.#pending.push(signal);
    } else {
      this.#deliver(this.#initPid, signal);
    }
  }

  /** unshare itself failed (no namespaces allowed here, say) before the launcher said anything. */
  #launcherGaveUp(code: number | null, signal: NodeJS.Signals | null): Failure | undefined {
    if (this.#initPid !== undefined || this.#sentKill) return undefined;
    return { code: 125, reason: `launcher exited ${exitCodeOf(code, signal)} before it started` };
  }

  #deliver(pid: number, signal: NodeJS.Signals): void {
    const disposition = signalDisposition(pid, signal);
    if (disposition === 'caught' || !endsByDefault(signal)) {
      this.#kill(pid, signal);
    } else if (disposition === 'default') {
      this.#endedFor ??= signal;
      this.#sentKill = true;
      this.#kill(pid, 'SIGKILL');
    }
  }

  #status(line: string): void {
    const [word, ...rest] = line.split(' ');
    if (word === 'pid' && this.#initPid === undefined) {
      const pid = Number(rest[0]);
      // A malformed line must never become pid 0 or -1: process.kill would hit our own group.
      if (Number.isInteger(pid) && pid > 1) {
        this.#initPid = pid;
        this.#onInitPid?.(pid);
      }
    } else if (word === 'exec' && this.#initPid !== undefined) {
      this.#whenCommandRuns(this.#initPid);
    } else if (word === 'fail') {
      const code = Number(rest[0]);
      this.#failure = { code: code === 126 || code === 127 ? code : 125, reason: rest.slice(1).join(' ') };
    } else if (line.trim() !== '') {
      this.#diagnostics.push(line.trim());
    }
  }

  /**
   * `exec` comes just before the launcher execs `unshare --root`, which execs the command: a
   * signal sent in between would find the launcher's dispositions, not the command's. So signals
   * (and the Running status) wait until PID 1's argv is no longer the launcher's.
   */
  #whenCommandRuns(pid: number): void {
    const argv = processArgv(pid);
    // An empty argv is a process in the middle of an exec (or gone, which `running` tells).
    if ((argv.length === 0 || isLauncherArgv(argv)) && this.running) {
      setTimeout(() => this.#whenCommandRuns(pid), 1);
      return;
    }
    this.#execed = true;
    this.#markStarted();
    for (const signal of this.#pending.splice(0)) if (this.running) this.#deliver(pid, signal);
  }

  #kill(pid: number, signal: NodeJS.Signals): void {
    if (!(pid > 1)) return;
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: already gone.
    }
  }
}
