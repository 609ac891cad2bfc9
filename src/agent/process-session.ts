import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { DataFrame } from './protocol';
import { exitStatus, sendSignal, toSignal } from './processes';
import { Session, type SessionHost, type SessionOptions } from './session';
import { reachesPid1 } from './signal-mask';
import { userFor, UserError } from './user';

export type { SessionHost, SessionOptions };

export interface ProcessSpec {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** `inherit`: the agent's own stdin (an agent run by hand, with no daemon to feed it). */
  stdin: 'pipe' | 'inherit' | 'ignore';
  /** A TTY session: the agent runs it as a PtySession (pty-session.ts); here, one merged stream. */
  tty: boolean;
  /** Own process group (when the agent does not own the container's group). */
  detached: boolean;
  /** Docker's `User` (`name|uid[:group|gid]`), resolved in the container's /etc/passwd and /etc/group. */
  user?: string;
  /**
   * The container's main process without `--init`: Docker runs it as PID 1, which the kernel
   * spares every signal it has no handler for (SIGKILL aside), so the agent drops those too.
   */
  pid1?: boolean;
}

/** The failure a container runtime reports for a command it cannot exec. */
function spawnFailure(command: string, err: NodeJS.ErrnoException): { code: number; message: string } {
  if (err.code === 'EACCES') return { code: 126, message: `exec: "${command}": permission denied` };
  const detail = command.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
  return { code: 127, message: `exec: "${command}": ${detail}` };
}

/**
 * One process the agent runs (the main process or an exec), its output numbered into an
 * outbox, its stdin fed from numbered frames. Reading pauses while the window is full.
 */
export class ProcessSession extends Session {
  readonly #child: ChildProcess | undefined;
  readonly #pid1: boolean;
  readonly #pipes: Readable[] = [];

  constructor(s: number, spec: ProcessSpec, host: SessionHost, opts: SessionOptions) {
    super(s, host, opts);
    this.#pid1 = spec.pid1 ?? false;
    const [command, ...args] = spec.argv as [string, ...string[]];
    let user: { uid: number; gid: number } | undefined;
    let env: NodeJS.ProcessEnv;
    try {
      ({ user, env } = userFor(spec.user, spec.env));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      this.#child = undefined;
      // As runc's, the reason reaches the client on the session's stderr; the session never ran.
      queueMicrotask(() => {
        this.output(spec.tty ? 'stdout' : 'stderr', Buffer.from(`${err.message}\n`), 'stderr');
        this.finish({ code: 126 }, err.message);
      });
      return;
    }
    this.#child = spawn(command, args, {
      cwd: spec.cwd,
      env,
      stdio: [spec.stdin, 'pipe', 'pipe'],
      detached: spec.detached,
      ...(user && { uid: user.uid, gid: user.gid }),
    });
    this.#child.stdin?.on('error', () => {}); // EPIPE once the process has gone
    const read = (pipe: Readable, stream: 'stdout' | 'stderr') => {
      this.#pipes.push(pipe);
      pipe.on('data', (chunk: Buffer) => this.output(spec.tty ? 'stdout' : stream, chunk, stream));
    };
    read(this.#child.stdout!, 'stdout');
    read(this.#child.stderr!, 'stderr');
    this.#child.once('error', (err: NodeJS.ErrnoException) => {
      if (this.#child!.pid !== undefined) return;
      const failure = spawnFailure(command, err);
      // As a runtime's error would, the reason reaches the client on the session's stderr.
      this.output(spec.tty ? 'stdout' : 'stderr', Buffer.from(`${failure.message}\n`), 'stderr');
      this.finish({ code: failure.code }, failure.message);
    });
    if (this.#child.pid !== undefined) host.control({ t: 'started', s, pid: this.#child.pid });
    // 'close' follows 'exit' once both pipes are drained, so the exit comes after the last byte.
    this.#child.once('close', (code, signal) => this.finish(exitStatus(code, signal)));
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Runs once the process has exited, before its pipes close (orphans may still hold them). */
  onExit(fn: () => void): void {
    if (this.#child) this.#child.once('exit', fn);
    else queueMicrotask(fn);
  }

  protected setReading(paused: boolean): void {
    for (const pipe of this.#pipes) paused ? pipe.pause() : pipe.resume();
  }

  stdin(frame: DataFrame): void {
    if (!this.acceptStdin(frame)) return;
    const stdin = this.#child?.stdin;
    const ack = () => this.host.control({ t: 'ack', s: this.s, seq: frame.seq });
    if (!stdin || stdin.destroyed || stdin.writableEnded) return ack();
    stdin.write(frame.data, ack);
  }

  stdinEnd(): void {
    this.#child?.stdin?.end();
  }

  signal(name: string): void {
    const signal = toSignal(name);
    const pid = this.#child?.pid;
    if (!signal || pid === undefined || this.exit !== undefined) return;
    if (this.#pid1 && !reachesPid1(pid, signal)) return;
    sendSignal(pid, signal);
  }
}
