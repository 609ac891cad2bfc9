import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { CLOSE, decodeAgentMessage, type AgentMessage } from '../../agent/protocol';
import { LiveLog } from '../live-log';
import { AgentLink, type LinkEvents } from './link';
import { AgentTokens } from './tokens';

/** The container-actor events an agent's connection turns into. */
export type AgentEvent =
  | { type: 'AGENT_CONNECTED' }
  | { type: 'AGENT_LOST' }
  | { type: 'PROCESS_STARTED' }
  | { type: 'PROCESS_EXITED'; code: number; signal?: string; error?: string };

export interface AgentsOptions {
  /** Delivers an event to the container's actor. */
  notify(containerId: string, event: AgentEvent): void;
  heartbeatMs: number;
  /** How long attach waits for an execution's agent before reading Log Analytics instead. */
  agentWaitMs: number;
  /** Budget of each container's live log, bytes. */
  liveLogBytes: number;
  /** What an agent says about its peers (a connection to relay, the ports its servers listen on). */
  peer?(containerId: string, msg: Parameters<NonNullable<LinkEvents['peer']>>[0]): void;
  debug?: (fields: object, message: string) => void;
}

/**
 * Every container's agent: tokens (minted per start), the link of the current start, and the
 * live log of its main process. Routes and the container actors' implementations meet here.
 */
export class Agents {
  readonly #opts: AgentsOptions;
  readonly #tokens = new AgentTokens();
  readonly #links = new Map<string, AgentLink>();
  readonly #logs = new Map<string, LiveLog>();
  readonly #waiting = new Map<string, Set<(link: AgentLink | undefined) => void>>();

  constructor(opts: AgentsOptions) {
    this.#opts = opts;
  }

  /**
   * A new start of the container: a fresh token (returned, to travel as an ACA secret) and a
   * new link, which those waiting for the next start get before any output can arrive.
   */
  prepare(containerId: string, derived?: string): string {
    const token = this.#tokens.mint(containerId, derived);
    this.onMinted?.(containerId, this.#tokens.digestOf(containerId)!);
    this.#open(containerId);
    return token;
  }

  /**
   * After a daemon restart: the link of a start whose agent may still run, authenticated by the
   * digest kept of its token, so the agent's redial is accepted and its sessions resume.
   */
  resume(containerId: string, digest: Buffer): void {
    this.#tokens.restore(containerId, digest);
    this.#open(containerId);
  }

  /** Called with the digest of every token minted (the persistent store keeps it; never the token). */
  onMinted: ((containerId: string, digest: Buffer) => void) | undefined;

  #open(containerId: string): void {
    this.#links.get(containerId)?.close();
    const log = this.liveLog(containerId);
    const link: AgentLink = new AgentLink({
      heartbeatMs: this.#opts.heartbeatMs,
      debug: this.#opts.debug,
      events: {
        connected: () => this.#opts.notify(containerId, { type: 'AGENT_CONNECTED' }),
        lost: () => this.#opts.notify(containerId, { type: 'AGENT_LOST' }),
        started: () => this.#opts.notify(containerId, { type: 'PROCESS_STARTED' }),
        exited: (status, error) => {
          log.flush();
          this.#opts.notify(containerId, { type: 'PROCESS_EXITED', ...status, ...(error !== undefined && { error }) });
        },
        shed: (until) => log.gap(until),
        peer: (msg) => this.#opts.peer?.(containerId, msg),
      },
    });
    link.main.onOutput = (frame) => log.feed(frame.stream as 'stdout' | 'stderr', frame.data, frame.time);
    link.giveUpAfter(this.#opts.agentWaitMs);
    this.#links.set(containerId, link);
    const waiting = this.#waiting.get(containerId);
    this.#waiting.delete(containerId);
    for (const resolve of waiting ?? []) resolve(link);
  }

  /** How long a request that needs the agent waits for it to connect (the agent wait setting). */
  get waitMs(): number {
    return this.#opts.agentWaitMs;
  }

  /** A start without an agent: those waiting for the next start's link learn there is none. */
  startWithoutAgent(containerId: string): void {
    this.liveLog(containerId).abandon();
    this.#links.get(containerId)?.close();
    this.#links.delete(containerId);
    const waiting = this.#waiting.get(containerId);
    this.#waiting.delete(containerId);
    for (const resolve of waiting ?? []) resolve(undefined);
  }

  /** The link of the container's current (or last) start. */
  link(containerId: string): AgentLink | undefined {
    return this.#links.get(containerId);
  }

  /** Resolves with the link of the container's next start (undefined if `signal` aborts first). */
  nextLink(containerId: string, signal?: AbortSignal): Promise<AgentLink | undefined> {
    return new Promise((resolve) => {
      let set = this.#waiting.get(containerId);
      if (!set) this.#waiting.set(containerId, (set = new Set()));
      const done = (link: AgentLink | undefined) => {
        set.delete(done);
        resolve(link);
      };
      set.add(done);
      signal?.addEventListener('abort', () => done(undefined), { once: true });
    });
  }

  /** The container's live log; one made now holds nothing older (a restored container's past is Log Analytics'). */
  liveLog(containerId: string): LiveLog {
    let log = this.#logs.get(containerId);
    if (!log) this.#logs.set(containerId, (log = new LiveLog(this.#opts.liveLogBytes, Date.now())));
    return log;
  }

  /** Whether this token is the one minted for the container's current start (constant time). */
  authenticate(containerId: string, token: string | undefined): boolean {
    return this.#tokens.check(containerId, token) && this.#links.has(containerId);
  }

  /** An authenticated socket: its first message must be the agent's hello, then the link adopts it. */
  connect(containerId: string, ws: WebSocket): void {
    const timer = setTimeout(() => ws.close(CLOSE.protocolError, 'no hello'), 10_000);
    ws.once('message', (data: RawData, isBinary: boolean) => {
      clearTimeout(timer);
      let msg: AgentMessage;
      try {
        msg = decodeAgentMessage((data as Buffer).toString('utf8'));
        if (isBinary || msg.t !== 'hello' || msg.containerId !== containerId) throw new Error('expected hello');
      } catch {
        return ws.close(CLOSE.protocolError, 'expected hello');
      }
      const link = this.#links.get(containerId);
      if (!link) return ws.close(CLOSE.gone, 'no such container start');
      link.adopt(ws, msg);
    });
  }

  /**
   * The container's execution is over. Output the agent did not deliver (no agent, a lost
   * connection, a process that never reported its end) is only in Log Analytics from here back.
   */
  ended(containerId: string): void {
    const link = this.#links.get(containerId);
    if (!link || link.closed) return;
    if (!link.main.exit) this.liveLog(containerId).gap(Date.now());
    link.close();
  }

  /** The container is gone. */
  forget(containerId: string): void {
    this.ended(containerId);
    this.#links.delete(containerId);
    this.#logs.delete(containerId);
    this.#tokens.revoke(containerId);
  }
}
