import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ArchiveSession } from './archive-session';
import { watchListeningPorts } from './listening-ports';
import type { PeerListeners } from './peers';
import { AgentPorts } from './ports';
import { Connection } from './connection';
import { ProcessSession, type SessionHost } from './process-session';
import { processTable, usageSample } from './proc-table';
import { killContainerProcesses, ownsContainer, sendSignal } from './processes';
import { PtySession } from './pty-session';
import {
  CONTAINER_HEADER, MAIN_SESSION, PROTOCOL_VERSION, TOKEN_HEADER,
  type DaemonMessage, type DataFrame, type ExitStatus,
} from './protocol';

/** How long an agent that never reached the daemon waits, after the main process ended, for a first contact. */
const FIRST_CONTACT_MS = 3_000;

export interface AgentOptions {
  argv: string[];
  /** The environment the user's processes get (the agent's own variables removed). */
  env: NodeJS.ProcessEnv;
  workdir: string;
  stdin: boolean;
  tty: boolean;
  /** Docker's `User` for the main process and the default of every exec, resolved by each session. */
  user?: string;
  /** `--init` (HostConfig.Init): an init runs the command, which then gets every signal sent. */
  init?: boolean;
  /** `ca`: a PEM trusted for a wss:// url beside Node's own root certificates (compiled into the artifact's Node). */
  callback?: { url: string; containerId: string; token: string; ca?: string };
  /** How long the agent waits, once the main process ended, for the daemon to take its exit. */
  lingerMs: number;
  /** Names of the containers of this container's user networks (set up before the command starts); only as the container's init. */
  peers?: PeerListeners;
  /** The container is on a user network: report the ports its servers listen on from the start. */
  onUserNetwork?: boolean;
  /** Main-process output held while disconnected before the oldest is shed. */
  disconnectedLimit: number;
  debug?: (message: string) => void;
}

/**
 * The container's init: runs the user's command as the main process, reports its output and
 * exit to the daemon, runs exec and archive sessions for it, and ends with the main process's
 * exit code once the daemon has that code (or the linger time is over).
 */
export class Agent {
  readonly #opts: AgentOptions;
  readonly #instance = randomUUID();
  readonly #owner = ownsContainer();
  readonly #processes = new Map<number, ProcessSession | PtySession>();
  readonly #archives = new Map<number, ArchiveSession>();
  readonly #ports: AgentPorts;
  #peers: PeerListeners | undefined;
  #listening: { stop(): void; again(): void } | undefined;
  readonly #main: ProcessSession | PtySession;
  readonly #conn: Connection | undefined;
  #welcomed = false;
  readonly #host: SessionHost;
  readonly #result: Promise<ExitStatus>;
  #resolve!: (status: ExitStatus) => void;

  constructor(opts: AgentOptions) {
    this.#opts = opts;
    this.#result = new Promise((resolve) => (this.#resolve = resolve));
    const agent = this;
    this.#host = {
      send: (frame) => this.#conn?.sendData(frame),
      control: (msg) => this.#conn?.send(msg),
      get connected() {
        return agent.#welcomed;
      },
    };
    this.#ports = new AgentPorts(this.#host);
    this.#peers = opts.peers;
    this.#peers?.attach(this.#host);
    if (opts.peers && opts.onUserNetwork) this.#reportListening();
    if (opts.callback) {
      const { url, containerId, token, ca } = opts.callback;
      this.#conn = new Connection(
        { url, headers: { [CONTAINER_HEADER]: containerId, [TOKEN_HEADER]: token }, ...(ca && { ca }), debug: opts.debug },
        {
          opened: () => this.#hello(),
          message: (msg) => this.#onMessage(msg),
          data: (frame) => this.#onData(frame),
          lost: () => this.#lost(),
        },
      );
    }
    this.#main = new (opts.tty ? PtySession : ProcessSession)(
      MAIN_SESSION,
      {
        argv: opts.argv, env: opts.env, cwd: opts.workdir, stdin: !opts.stdin ? 'ignore' : opts.callback ? 'pipe' : 'inherit', tty: opts.tty,
        detached: !this.#owner, user: opts.user, pid1: !opts.init,
      },
      this.#host,
      {
        tee: (stream, data) => (stream === 'stdout' ? process.stdout : process.stderr).write(data),
        disconnectedLimit: opts.disconnectedLimit,
        onEnd: () => this.#linger(),
      },
    );
    this.#processes.set(MAIN_SESSION, this.#main);
    // The container ends with its main process: whatever it left behind would hold its pipes open.
    this.#main.onExit(() => {
      killContainerProcesses(this.#main.pid);
      for (const p of this.#processes.values()) if (p !== this.#main && p.pid) sendSignal(this.#owner ? p.pid : -p.pid, 'SIGKILL');
    });
  }

  /** Runs until the main process has ended and its exit is delivered; resolves with that exit. */
  run(): Promise<ExitStatus> {
    this.#conn?.start();
    return this.#result;
  }

  /**
   * The main process ended: wait (bounded) for the daemon to take the exit. An agent the daemon
   * refused, or never reached in the first seconds, leaves at once: ACA then reports the code.
   */
  #linger(): void {
    const conn = this.#conn;
    if (!conn || conn.refused) return this.#finish();
    const ms = conn.everWelcomed ? this.#opts.lingerMs : Math.min(this.#opts.lingerMs, FIRST_CONTACT_MS);
    setTimeout(() => this.#finish(), ms);
  }

  /** On a user network, the ports servers listen on are the ports peers reach (Docker's containers reach any port of each other). */
  #reportListening(): void {
    this.#listening ??= watchListeningPorts((ports) => this.#conn?.send({ t: 'listening', ports }));
  }

  #finish(): void {
    this.#listening?.stop();
    this.#peers?.stop();
    this.#conn?.stop();
    this.#resolve(this.#main.exit!);
  }

  /** A signal the agent itself received: as init, it passes it on to the main process. */
  forward(signal: NodeJS.Signals): void {
    // Leading the replica's process group, the runner's signal has already reached every process.
    if (this.#owner && process.pid !== 1) return;
    this.#main.signal(signal);
  }

  #hello(): void {
    const report = [...this.#processes.values()].map((p) => p.report());
    const droppedUntil = this.#main.out.droppedUntil;
    this.#conn!.send({
      t: 'hello', v: PROTOCOL_VERSION, containerId: this.#opts.callback!.containerId, instance: this.#instance,
      pid: process.pid, sessions: report, hostname: hostname(), ...(droppedUntil !== undefined && { droppedUntil }),
    });
  }

  #lost(): void {
    this.#welcomed = false;
    for (const archive of this.#archives.values()) archive.close();
    this.#archives.clear();
    this.#ports.closeAll();
    this.#peers?.lost();
    for (const p of this.#processes.values()) p.flow();
  }

  #onMessage(msg: DaemonMessage): void {
    switch (msg.t) {
      case 'welcome':
        this.#welcomed = true;
        this.#conn!.welcomed(msg.heartbeatMs);
        for (const p of this.#processes.values()) p.resume(msg.acks[p.s] ?? 0);
        this.#peers?.welcomed();
        this.#listening?.again();
        return;
      case 'exec':
        if (this.#processes.has(msg.s) || this.#main.exit) return;
        this.#processes.set(
          msg.s,
          new (msg.tty ? PtySession : ProcessSession)(
            msg.s,
            {
              argv: msg.argv, env: { ...this.#opts.env, ...envObject(msg.env) }, cwd: msg.workdir || this.#opts.workdir, stdin: msg.stdin ? 'pipe' : 'ignore',
              tty: msg.tty, detached: !this.#owner, user: msg.user || this.#opts.user,
            },
            this.#host,
            { disconnectedLimit: 0 },
          ),
        );
        return;
      case 'ack':
        if (this.#peers?.has(msg.s)) return this.#peers.ack(msg.s, msg.seq);
        this.#ports.ack(msg.s, msg.seq);
        this.#processes.get(msg.s)?.ack(msg.seq);
        this.#archives.get(msg.s)?.ack(msg.seq);
        return this.#settle(msg.s);
      case 'exitAck':
        this.#processes.get(msg.s)?.exitAcked();
        return this.#settle(msg.s);
      case 'stdinEnd':
        return this.#processes.get(msg.s)?.stdinEnd();
      case 'signal':
        return this.#processes.get(msg.s)?.signal(msg.signal);
      case 'resize': {
        const p = this.#processes.get(msg.s);
        return p instanceof PtySession ? p.resize(msg.cols, msg.rows) : undefined;
      }
      case 'stat':
        return void this.#archive(msg.s).stat(msg.path);
      case 'get':
        return void this.#archive(msg.s).get(msg.path);
      case 'put':
        return this.#archive(msg.s).put(msg.path, msg.noOverwriteDirNonDir);
      case 'putEnd':
        return this.#archives.get(msg.s)?.putEnd();
      case 'cancel':
        this.#archives.get(msg.s)?.close();
        this.#archives.delete(msg.s);
        return;
      case 'portOpen':
        return this.#ports.open(msg.s, msg.port);
      case 'portEnd':
        if (this.#peers?.has(msg.s)) return this.#peers.end(msg.s);
        return this.#ports.end(msg.s);
      case 'portClose':
        if (this.#peers?.has(msg.s)) return this.#peers.close(msg.s);
        return this.#ports.close(msg.s);
      case 'portOpened':
        return this.#peers?.opened(msg.s);
      case 'peers':
        if (!this.#peers) return this.#opts.debug?.('the daemon sent peers to an agent that cannot carry them (not the container\'s init)');
        this.#reportListening();
        this.#peers.update(msg.peers).catch((err) => this.#opts.debug?.(`peers: ${(err as Error).message}`));
        return;
      case 'probe':
        try {
          return this.#conn!.send(msg.what === 'top' ? { t: 'probed', s: msg.s, top: processTable() } : { t: 'probed', s: msg.s, stats: usageSample() });
        } catch (err) {
          return this.#conn!.send({ t: 'probed', s: msg.s, error: (err as Error).message });
        }
      case 'hb':
        return;
    }
  }

  #onData(frame: DataFrame): void {
    if (frame.stream === 'stdin') this.#processes.get(frame.session)?.stdin(frame);
    else if (frame.stream === 'archive') this.#archives.get(frame.session)?.data(frame);
    else if (frame.stream === 'port') {
      if (this.#peers?.has(frame.session)) this.#peers.data(frame);
      else this.#ports.data(frame);
    }
  }

  #archive(s: number): ArchiveSession {
    let session = this.#archives.get(s);
    if (!session) this.#archives.set(s, (session = new ArchiveSession(s, this.#host, this.#opts.workdir, () => this.#archives.delete(s))));
    return session;
  }

  /** Forgets a finished exec session; ends the agent once the main exit is delivered. */
  #settle(s: number): void {
    const p = this.#processes.get(s);
    if (!p?.done) return;
    if (s === MAIN_SESSION) return this.#finish();
    this.#processes.delete(s);
  }
}

function envObject(env: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env) {
    const eq = kv.indexOf('=');
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
