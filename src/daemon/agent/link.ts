import type WebSocket from 'ws';
import type { RawData } from 'ws';
import {
  CLOSE, MAIN_SESSION, PROTOCOL_VERSION, decodeAgentMessage, decodeData, encodeData, encodeMessage,
  type AgentMessage, type DaemonMessage, type DataFrame, type ExecStart, type ExitStatus, type ProbeKind, type ProbeResult,
} from '../../agent/protocol';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SocketPump } from '../../agent/socket-pump';
import { ArchiveCall, ArchiveFailure } from './archive-call';
import { ProcessChannel, type ChannelLink } from './process-channel';

type Hello = Extract<AgentMessage, { t: 'hello' }>;

/** The messages of a port stream, which a relayed session passes on to the other agent. */
const RELAYED = new Set<string>(['ack', 'portOpened', 'portEnd', 'portClose']);

export interface LinkEvents {
  connected(): void;
  lost(): void;
  /** The main process is running (the agent said so, or its hello showed it without an end). */
  started(): void;
  /** The main process ended; every byte of its output was delivered before this. */
  exited(status: ExitStatus, error: string | undefined): void;
  /** The agent shed main-process output while disconnected, up to this time. */
  shed(until: number): void;
  /** A connection to a peer the agent accepted (`dial`), or the ports its servers listen on now. */
  peer?(msg: Extract<AgentMessage, { t: 'dial' | 'listening' }>): void;
}

/** One end of a port stream relayed between two agents (port-relay.ts): what arrives on the session goes to the other link. */
export interface RelayEnd {
  data(frame: DataFrame): void;
  control(msg: Extract<AgentMessage, { t: 'ack' | 'portOpened' | 'portEnd' | 'portClose' }>): void;
  /** This link's connection is gone: the other end is told the stream broke. */
  lost(): void;
}

export interface LinkOptions {
  heartbeatMs: number;
  events: LinkEvents;
  debug?: (fields: object, message: string) => void;
}

/**
 * The daemon's end of one container start's agent: the current WebSocket (a reconnect
 * replaces it and resumes every session), the main process channel, exec channels and
 * archive calls. A link lives from the start that minted its token to the execution's end.
 */
export class AgentLink implements ChannelLink {
  readonly main: ProcessChannel;
  readonly #opts: LinkOptions;
  readonly #execs = new Map<number, { channel: ProcessChannel; start: ExecStart }>();
  readonly #archives = new Map<number, ArchiveCall>();
  /** Port streams: the pump, and until the agent reached the port, what to do then. */
  readonly #ports = new Map<number, { pump: SocketPump; settle?: (error?: string) => void }>();
  readonly #relays = new Map<number, RelayEnd>();
  readonly #probes = new Map<number, { resolve: (r: ProbeResult) => void; reject: (e: Error) => void }>();
  #ws: WebSocket | undefined;
  #welcomed = false;
  #contacted = false;
  /** What the container's processes see as their hostname, as the agent last said. */
  hostname: string | undefined;
  #closed = false;
  #next = 1;
  #beat: NodeJS.Timeout | undefined;
  #lastHeard = 0;
  readonly #contact: Promise<boolean>;
  #settleContact!: (contacted: boolean) => void;
  readonly #changes = new Set<() => void>();

  constructor(opts: LinkOptions) {
    this.#opts = opts;
    this.main = new ProcessChannel(MAIN_SESSION, this);
    this.#contact = new Promise((resolve) => (this.#settleContact = resolve));
  }

  get connected(): boolean {
    return this.#welcomed && this.#ws?.readyState === 1;
  }

  /** True once the agent connected; false if the link ended (or gave up waiting) before it did. */
  get contact(): Promise<boolean> {
    return this.#contact;
  }

  get contacted(): boolean {
    return this.#contacted;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once the link is connected (`true`) or not (`false`), or closed, or `signal` aborts. */
  until(connected: boolean, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#closed || this.connected === connected || signal.aborted) {
          this.#changes.delete(check);
          signal.removeEventListener('abort', check);
          resolve();
        }
      };
      this.#changes.add(check);
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }

  #changed(): void {
    for (const check of [...this.#changes]) check();
  }

  /** No agent within `ms`: whoever waits for one stops waiting (a later agent still serves exec and cp). */
  giveUpAfter(ms: number): void {
    setTimeout(() => this.#settleContact(false), ms).unref();
  }

  send(msg: DaemonMessage): void {
    if (this.connected) this.#ws!.send(encodeMessage(msg));
  }

  sendData(frame: DataFrame): void {
    if (this.connected) this.#ws!.send(encodeData(frame));
  }

  /** A connection that said hello: it replaces any earlier one, and every session resumes on it. */
  adopt(ws: WebSocket, hello: Hello): void {
    if (this.#closed) return ws.close(CLOSE.gone, 'the container no longer runs this agent');
    const previous = this.#ws;
    this.#ws = ws;
    if (typeof hello.hostname === 'string') this.hostname = hello.hostname;
    this.#welcomed = false;
    if (previous) previous.close(CLOSE.replaced, 'replaced by a newer connection');
    ws.on('message', (data: RawData, isBinary: boolean) => this.#onFrame(ws, data as Buffer, isBinary));
    ws.on('close', () => this.#onClose(ws));
    ws.on('error', () => {});
    const acks: Record<number, number> = { [MAIN_SESSION]: this.main.acked };
    for (const [s, exec] of this.#execs) acks[s] = exec.channel.acked;
    ws.send(encodeMessage({ t: 'welcome', v: PROTOCOL_VERSION, heartbeatMs: this.#opts.heartbeatMs, acks }));
    this.#welcomed = true;
    this.#lastHeard = Date.now();
    this.#heartbeat();
    for (const [s, size] of this.#sizes) this.send({ t: 'resize', s, ...size });
    const reports = new Map(hello.sessions.map((r) => [r.s, r]));
    this.main.resume(reports.get(MAIN_SESSION));
    for (const [s, exec] of this.#execs) {
      // An exec the agent never heard of was lost with the old connection: ask again.
      if (!reports.has(s) && !exec.channel.exit) this.send(exec.start);
      exec.channel.resume(reports.get(s));
    }
    if (hello.droppedUntil !== undefined) this.#opts.events.shed(hello.droppedUntil);
    this.#contacted = true;
    this.#settleContact(true);
    this.#opts.events.connected();
    const main = reports.get(MAIN_SESSION);
    if (main && !main.exit && !this.main.exit) this.#opts.events.started();
    this.#changed();
  }

  exec(start: Omit<ExecStart, 't' | 's'>): ProcessChannel {
    if (!this.connected) throw new ArchiveFailure('unavailable', 'no agent is connected');
    const s = this.#next++;
    const channel = new ProcessChannel(s, this);
    const message: ExecStart = { t: 'exec', s, ...start };
    this.#execs.set(s, { channel, start: message });
    this.send(message);
    return channel;
  }

  /** Starts an archive session: `stat`, `get` (stat, then the tar) or `put` (send the tar with `call.send`). */
  archive(msg: { t: 'stat' | 'get'; path: string } | { t: 'put'; path: string; noOverwriteDirNonDir: boolean }): ArchiveCall {
    if (!this.connected) throw new ArchiveFailure('unavailable', 'no agent is connected');
    const s = this.#next++;
    const call = new ArchiveCall(s, this);
    this.#archives.set(s, call);
    const forget = () => this.#archives.delete(s);
    call.done.then(forget, forget);
    call.stat.catch(forget);
    if (msg.t === 'stat') call.stat.then(forget, forget);
    this.send({ ...msg, s });
    return call;
  }

  /** Asks the agent for the process table or a usage sample; fails if the connection goes first. */
  probe(what: ProbeKind): Promise<ProbeResult> {
    if (!this.connected) return Promise.reject(new ArchiveFailure('unavailable', 'no agent is connected'));
    const s = this.#next++;
    return new Promise((resolve, reject) => {
      this.#probes.set(s, { resolve, reject });
      this.send({ t: 'probe', s, what });
    });
  }

  #failProbes(message: string): void {
    for (const p of this.#probes.values()) p.reject(new ArchiveFailure('unavailable', message));
    this.#probes.clear();
  }

  /** The client of an archive call went away: stop the agent's work on it. */
  cancel(call: ArchiveCall): void {
    if (!this.#archives.delete(call.s)) return;
    this.send({ t: 'cancel', s: call.s });
    call.fail(new ArchiveFailure('failed', 'cancelled'));
  }

  /**
   * Carries one TCP connection (a client of a published port) to `port` inside the replica.
   * Resolves once the agent reached the port; rejects (the socket destroyed) when it could not.
   */
  openPort(port: number, socket: Socket): Promise<void> {
    if (!this.connected) {
      socket.destroy();
      return Promise.reject(new ArchiveFailure('unavailable', 'no agent is connected'));
    }
    const s = this.#next++;
    const link = { sendData: (f: DataFrame) => this.sendData(f), control: (m: DaemonMessage) => this.send(m) };
    const pump = new SocketPump(s, socket, link, () => this.#ports.delete(s));
    return new Promise((resolve, reject) => {
      this.#ports.set(s, {
        pump,
        settle: (error) => {
          const entry = this.#ports.get(s);
          if (entry) delete entry.settle;
          if (error === undefined) {
            pump.flow();
            return resolve();
          }
          pump.abort();
          reject(new ArchiveFailure('failed', error));
        },
      });
      this.send({ t: 'portOpen', s, port });
    });
  }

  /**
   * A stream the agent opened itself (`dial`, session `s` of its numbering) that ends in the
   * daemon: `socket` is the daemon's end (its own API, for the Docker socket in a container).
   */
  acceptStream(s: number, socket: Duplex): void {
    const link = { sendData: (f: DataFrame) => this.sendData(f), control: (m: DaemonMessage) => this.send(m) };
    const pump = new SocketPump(s, socket, link, () => this.#ports.delete(s));
    this.#ports.set(s, { pump });
    this.send({ t: 'portOpened', s });
    pump.flow();
  }

  /** A session number of the daemon's for a stream it relays (the agent's own dials are numbered by the agent). */
  allocateSession(): number {
    return this.#next++;
  }

  /** Frames and port messages on session `s` go to `end` from now on. */
  bindRelay(s: number, end: RelayEnd): void {
    this.#relays.set(s, end);
  }

  unbindRelay(s: number): void {
    this.#relays.delete(s);
  }

  #abortPorts(reason: string): void {
    const relays = [...this.#relays.values()];
    this.#relays.clear();
    for (const end of relays) end.lost();
    for (const { pump, settle } of [...this.#ports.values()]) {
      if (settle) settle(reason);
      else pump.abort();
    }
    this.#ports.clear();
  }

  signal(s: number, signal: string): void {
    this.send({ t: 'signal', s, signal });
  }

  /** The last size each terminal was given, sent again on every (re)connection: `run -it` sizes it before the agent dials. */
  readonly #sizes = new Map<number, { cols: number; rows: number }>();

  resize(s: number, cols: number, rows: number): void {
    this.#sizes.set(s, { cols, rows });
    this.send({ t: 'resize', s, cols, rows });
  }

  /** Ends the current connection as a network failure would; the agent dials again and resumes. */
  drop(): void {
    this.#ws?.terminate();
  }

  /** The execution is over (or the container is gone): no further connection is accepted. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#settleContact(false);
    const gone = new ArchiveFailure('unavailable', 'the container is no longer running');
    for (const call of this.#archives.values()) call.fail(gone);
    this.#archives.clear();
    this.#abortPorts('the container is no longer running');
    this.#failProbes('the container is no longer running');
    for (const { channel } of this.#execs.values()) channel.finish({ code: 137, signal: 'SIGKILL' });
    // An agent that never made contact delivered nothing: its attach clients read Log Analytics
    // instead (attachSource), so their streams are let go here, not ended.
    if (!this.#contacted) this.main.releaseSinks();
    this.main.finish(this.main.exit ?? { code: 137, signal: 'SIGKILL' });
    clearInterval(this.#beat);
    this.#ws?.close(CLOSE.gone, 'the execution is over');
    this.#changed();
  }

  #onFrame(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    if (ws !== this.#ws) return;
    this.#lastHeard = Date.now();
    try {
      if (isBinary) return this.#onData(decodeData(data));
      this.#onMessage(decodeAgentMessage(data.toString('utf8')));
    } catch (err) {
      this.#opts.debug?.({ err: (err as Error).message }, 'bad frame from an agent; closing its connection');
      ws.close(CLOSE.protocolError, 'protocol error');
    }
  }

  #onData(frame: DataFrame): void {
    if (frame.stream === 'archive') return this.#archives.get(frame.session)?.data(frame);
    if (frame.stream === 'port') {
      const relay = this.#relays.get(frame.session);
      return relay ? relay.data(frame) : this.#ports.get(frame.session)?.pump.data(frame);
    }
    this.#channel(frame.session)?.output(frame);
  }

  #onMessage(msg: AgentMessage): void {
    const relay = RELAYED.has(msg.t) ? this.#relays.get((msg as { s: number }).s) : undefined;
    if (relay) return relay.control(msg as Parameters<RelayEnd['control']>[0]);
    switch (msg.t) {
      case 'dial':
      case 'listening':
        return this.#opts.events.peer?.(msg);
      case 'started': {
        const channel = this.#channel(msg.s);
        if (channel) channel.pid = msg.pid;
        if (msg.s === MAIN_SESSION) this.#opts.events.started();
        return;
      }
      case 'exit': {
        const channel = this.#channel(msg.s);
        if (!channel) return;
        const first = !channel.exit;
        channel.finish(msg.status, msg.error);
        this.send({ t: 'exitAck', s: msg.s });
        if (msg.s === MAIN_SESSION && first) this.#opts.events.exited(msg.status, msg.error);
        return;
      }
      case 'ack':
        this.#channel(msg.s)?.stdinAcked(msg.seq);
        this.#archives.get(msg.s)?.acked(msg.seq);
        this.#ports.get(msg.s)?.pump.ack(msg.seq);
        return;
      case 'portOpened':
        return this.#ports.get(msg.s)?.settle?.();
      case 'portEnd':
        return this.#ports.get(msg.s)?.pump.end();
      case 'portClose': {
        const entry = this.#ports.get(msg.s);
        if (entry?.settle) return entry.settle(msg.error ?? 'the agent could not reach the port');
        return entry?.pump.abort();
      }
      case 'stat':
      case 'end':
      case 'putDone':
        return this.#archives.get(msg.s)?.reply(msg);
      case 'probed': {
        const probe = this.#probes.get(msg.s);
        this.#probes.delete(msg.s);
        const { t: _t, s: _s, ...result } = msg;
        return probe?.resolve(result as ProbeResult);
      }
      case 'hello':
      case 'hb':
        return;
    }
  }

  #channel(s: number): ProcessChannel | undefined {
    return s === MAIN_SESSION ? this.main : this.#execs.get(s)?.channel;
  }

  #heartbeat(): void {
    clearInterval(this.#beat);
    const every = this.#opts.heartbeatMs;
    this.#beat = setInterval(() => {
      if (Date.now() - this.#lastHeard > 3 * every) return this.drop();
      this.send({ t: 'hb' });
    }, every);
    this.#beat.unref();
  }

  #onClose(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#ws = undefined;
    this.#welcomed = false;
    clearInterval(this.#beat);
    const lost = new ArchiveFailure('unavailable', 'the agent disconnected during the copy');
    for (const call of this.#archives.values()) call.fail(lost);
    this.#archives.clear();
    this.#abortPorts('the agent disconnected');
    this.#failProbes('the agent disconnected');
    if (!this.#closed) this.#opts.events.lost();
    this.#changed();
  }
}
