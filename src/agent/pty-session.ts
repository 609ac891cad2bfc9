import { accessSync, constants as fs } from 'node:fs';
import { constants as os } from 'node:os';
import { delimiter, join } from 'node:path';
// Its JS is bundled with the agent; its native pty.node is loaded from the node_modules beside
// the bundle (the artifact's, or the one bundleAgent writes next to the local bundle).
import { spawn as ptySpawn, type IPty } from '@lydell/node-pty';
import type { ProcessSpec } from './process-session';
import { sendSignal, toSignal } from './processes';
import type { DataFrame } from './protocol';
import { Session, type SessionHost, type SessionOptions } from './session';
import { reachesPid1 } from './signal-mask';
import { userFor, UserError } from './user';

/** Docker's size for a terminal no client has sized yet. */
const DEFAULT_SIZE = { cols: 80, rows: 24 };

/** The command's path as execvp would find it, or why it cannot run (a runtime's exit code and message). */
function resolveCommand(command: string, env: NodeJS.ProcessEnv): { path: string } | { code: number; message: string } {
  const candidates = command.includes('/')
    ? [command]
    : (env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).filter(Boolean).map((d) => join(d, command));
  let denied = false;
  for (const path of candidates) {
    try {
      accessSync(path, fs.X_OK);
      return { path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  if (denied) return { code: 126, message: `exec: "${command}": permission denied` };
  const detail = command.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
  return { code: 127, message: `exec: "${command}": ${detail}` };
}

/**
 * A `-t` session (the main process or an exec): the process runs on a pseudo-terminal (the
 * node-pty library), so it sees a terminal (isatty, `stty size`), `^C` from the client's raw
 * stdin becomes SIGINT from the line discipline, and a resize sets the window size (SIGWINCH).
 * Output is the terminal's one stream, numbered into an outbox like a piped session's.
 */
export class PtySession extends Session {
  readonly #pty: IPty | undefined;
  readonly #exitListeners: Array<() => void> = [];
  readonly #pid1: boolean;

  constructor(s: number, spec: ProcessSpec, host: SessionHost, opts: SessionOptions, size = DEFAULT_SIZE) {
    super(s, host, opts);
    this.#pid1 = spec.pid1 ?? false;
    const [command, ...args] = spec.argv as [string, ...string[]];
    // As a runtime's error would, the reason a command cannot run reaches the client on the terminal.
    const fail = (code: number, message: string) =>
      queueMicrotask(() => {
        this.#output(Buffer.from(`${message}\r\n`));
        this.finish({ code }, message);
      });
    let user: { uid: number; gid: number } | undefined;
    let specEnv: NodeJS.ProcessEnv;
    try {
      ({ user, env: specEnv } = userFor(spec.user, spec.env));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      fail(126, err.message);
      return;
    }
    const resolved = resolveCommand(command, specEnv);
    if ('code' in resolved) {
      fail(resolved.code, resolved.message);
      return;
    }
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(specEnv)) if (v !== undefined) env[k] = v;
    // Docker sets TERM for a TTY container when the image does not.
    env.TERM ??= 'xterm';
    this.#pty = ptySpawn(resolved.path, args, {
      name: env.TERM, cols: size.cols, rows: size.rows, cwd: spec.cwd, env, encoding: null, ...(user && { uid: user.uid, gid: user.gid }),
    });
    this.#pty.onData((data) => this.#output(Buffer.isBuffer(data) ? data : Buffer.from(data)));
    // node-pty reports the exit once the terminal's output is drained.
    this.#pty.onExit(({ exitCode, signal }) => {
      for (const fn of this.#exitListeners) fn();
      const name = signal ? (Object.keys(os.signals) as NodeJS.Signals[]).find((k) => os.signals[k] === signal) : undefined;
      this.finish(signal ? { code: 128 + signal, ...(name && { signal: name }) } : { code: exitCode });
    });
    host.control({ t: 'started', s, pid: this.#pty.pid });
  }

  get pid(): number | undefined {
    return this.#pty?.pid;
  }

  onExit(fn: () => void): void {
    this.#exitListeners.push(fn);
  }

  /** The terminal's one stream. */
  #output(chunk: Buffer): void {
    this.output('stdout', chunk, 'stdout');
  }

  protected setReading(paused: boolean): void {
    paused ? this.#pty?.pause() : this.#pty?.resume();
  }

  stdin(frame: DataFrame): void {
    if (!this.acceptStdin(frame)) return;
    // The terminal's socket takes bytes; the library's type says string only.
    if (this.#pty && !this.exit) this.#pty.write(frame.data as unknown as string);
    this.host.control({ t: 'ack', s: this.s, seq: frame.seq });
  }

  /** The client's stdin ended: the terminal's end-of-file character, as a terminal would send. */
  stdinEnd(): void {
    if (this.#pty && !this.exit) this.#pty.write('\x04');
  }

  signal(name: string): void {
    const signal = toSignal(name);
    if (!signal || !this.#pty || this.exit !== undefined) return;
    if (this.#pid1 && !reachesPid1(this.#pty.pid, signal)) return;
    sendSignal(this.#pty.pid, signal);
  }

  resize(cols: number, rows: number): void {
    if (!this.#pty || this.exit || cols < 1 || rows < 1) return;
    try {
      this.#pty.resize(cols, rows);
    } catch {
      // The terminal closed in between.
    }
  }
}
