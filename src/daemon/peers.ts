import { AGENT_SESSIONS, type AgentMessage, type PeerInfo } from '../agent/protocol';
import type { Agents } from './agent/agents';
import { relayPort } from './agent/port-relay';
import { duplexPair, type Duplex } from 'node:stream';

/** What the daemon knows of networks and containers that peers are made of. */
export interface PeerDirectory {
  /** Whether the container has an endpoint on a user network (Docker's names resolve on those only). */
  onUserNetwork(containerId: string): boolean;
  /** The other containers on the user networks of `containerId`, with the names it reaches each by. */
  neighbours(containerId: string): Array<{ id: string; names: string[] }>;
  /** Every container with an endpoint on a user network. */
  members(): Iterable<string>;
  /** The TCP ports the container exposes or publishes (its config). */
  exposed(containerId: string): number[];
  /** Where the container binds the Docker socket (`-v /var/run/docker.sock:PATH`), if it does. */
  dockerSocket(containerId: string): string | undefined;
}

/**
 * SOCKERLESS_PEER_PORTS: the ports of a peer its callers' agents listen on. `declared` (the
 * default): those it exposes or publishes. `listening`: also those its servers are seen listening
 * on, which reaches undeclared servers but may take a port before the caller's own undeclared
 * server binds it (README, "Container names between containers").
 */
export type PeerPorts = 'declared' | 'listening';

export function peerPortsFrom(value: string | undefined): PeerPorts {
  const v = value?.trim() || 'declared';
  if (v !== 'declared' && v !== 'listening') throw new Error(`SOCKERLESS_PEER_PORTS must be declared or listening, not ${JSON.stringify(value)}`);
  return v;
}

export interface PeersOptions {
  /** How long a relayed connection waits for the peer's agent to be connected. */
  agentWaitMs: number;
  ports?: PeerPorts;
  /** Serves the daemon's own API on a stream (the Docker socket in a container); absent: not served. */
  serveApi?: (socket: Duplex) => void;
  debug?: (fields: object, message: string) => void;
}

/**
 * Container names between containers, through their agents (Docker's embedded DNS and bridge,
 * carried over ACA, where executions cannot reach each other): each running agent on a user
 * network is told its peers (names, ports) and kept up to date as containers start, stop,
 * connect and disconnect; a connection an agent accepts for a peer (`dial`) is relayed to the
 * peer's agent. Peers are the containers that share a user network and whose run has an agent
 * (its link, from the start that minted its token to the execution's end, also after a daemon
 * restart, which resumes it).
 */
export class Peers {
  readonly #dir: PeerDirectory;
  readonly #agents: Agents;
  readonly #opts: PeersOptions;
  /** What each container's servers listen on, as its agent last said. */
  readonly #listening = new Map<string, number[]>();
  /** The last list each agent was sent (JSON), so only changes go out. */
  readonly #sent = new Map<string, string>();
  #scheduled = false;
  /** Serves the daemon's own API on a stream (the Docker socket in a container); unset: not served. */
  serveApi: ((socket: Duplex) => void) | undefined;

  constructor(dir: PeerDirectory, agents: Agents, opts: PeersOptions) {
    this.#dir = dir;
    this.#agents = agents;
    this.#opts = opts;
  }

  /**
   * The peers of a container now: the neighbours that run with an agent, each with its ports.
   * The caller's agent listens on those ports on loopback addresses of its replica, where a
   * listener on a port blocks a server of the container on the same port (a wildcard bind
   * overlaps every local address): so the ports the caller itself declares or listens on are
   * left out, and `declaredOnly` (before the caller's command starts, when its own servers are
   * not known yet) keeps only the ports peers declare.
   */
  of(containerId: string, declaredOnly = false): PeerInfo[] {
    const out: PeerInfo[] = [];
    const own = new Set([...this.#dir.exposed(containerId), ...(this.#listening.get(containerId) ?? [])]);
    for (const n of this.#dir.neighbours(containerId)) {
      const link = this.#agents.link(n.id);
      if (!link || link.closed) continue;
      const seen = declaredOnly || this.#opts.ports !== 'listening' ? [] : (this.#listening.get(n.id) ?? []);
      const ports = new Set([...this.#dir.exposed(n.id), ...seen]);
      for (const p of own) ports.delete(p);
      out.push({ id: n.id, names: n.names, ports: [...ports].sort((a, b) => a - b) });
    }
    return out;
  }

  /** SOCKERLESS_PEERS for a container's next run: its peers as JSON, or nothing when it is on no user network. */
  envFor(containerId: string): string | undefined {
    // A new run's own servers are not known yet: what its previous run listened on says nothing.
    this.#listening.delete(containerId);
    return this.#dir.onUserNetwork(containerId) ? JSON.stringify(this.of(containerId, true)) : undefined;
  }

  /** Memberships or runs changed: every agent concerned is told its new peers (once per turn of the event loop). */
  changed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#refresh();
    });
  }

  /** The container's agent (re)connected: it gets its peers again, whatever it had. */
  connected(containerId: string): void {
    if (!this.#sent.delete(containerId) && !this.#dir.onUserNetwork(containerId)) return;
    this.changed();
  }

  /** The container is gone. */
  forget(containerId: string): void {
    this.#sent.delete(containerId);
    this.#listening.delete(containerId);
    this.changed();
  }

  message(containerId: string, msg: Extract<AgentMessage, { t: 'dial' | 'listening' }>): void {
    if (msg.t === 'listening') {
      const ports = Array.isArray(msg.ports) ? msg.ports.filter((p) => Number.isInteger(p) && p > 0 && p < 65536) : [];
      if (this.#listening.get(containerId)?.join() === ports.join()) return;
      this.#listening.set(containerId, ports);
      return this.changed();
    }
    void this.#dial(containerId, msg);
  }

  #refresh(): void {
    // Those no longer on a user network are sent their empty list once.
    for (const id of new Set([...this.#dir.members(), ...this.#sent.keys()])) {
      const link = this.#agents.link(id);
      if (!link?.connected) continue;
      const peers = this.of(id);
      const json = JSON.stringify(peers);
      if (this.#sent.get(id) === json) continue;
      this.#sent.set(id, json);
      link.send({ t: 'peers', peers });
    }
  }

  /** Where SOCKERLESS_DOCKER_SOCKET points for the container's next run: the socket it binds, when the daemon serves it. */
  dockerSocketFor(containerId: string): string | undefined {
    return this.serveApi ? this.#dir.dockerSocket(containerId) : undefined;
  }

  async #dial(callerId: string, msg: Extract<AgentMessage, { t: 'dial' }>): Promise<void> {
    const caller = this.#agents.link(callerId);
    // The agent numbers its dials from AGENT_SESSIONS: below is the daemon's own numbering.
    if (!caller || !Number.isInteger(msg.s) || msg.s < AGENT_SESSIONS) return;
    const refuse = (error: string) => {
      this.#opts.debug?.({ containerId: callerId, dial: msg }, `a connection the agent opened was refused: ${error}`);
      caller.send({ t: 'portClose', s: msg.s, error });
    };
    if ('daemon' in msg) {
      // Only a container that binds the Docker socket reaches the daemon's API through its agent.
      if (!this.serveApi || !this.#dir.dockerSocket(callerId)) return refuse('this container does not bind the Docker socket');
      const [daemonEnd, apiEnd] = duplexPair();
      // An in-process pair: one end's destruction must reach the other (a socket's would through the kernel).
      daemonEnd.once('close', () => apiEnd.destroy());
      apiEnd.once('close', () => daemonEnd.destroy());
      this.serveApi(apiEnd);
      return caller.acceptStream(msg.s, daemonEnd);
    }
    if (!Number.isInteger(msg.port) || msg.port < 1 || msg.port > 65535) return refuse(`invalid port ${msg.port}`);
    // Only containers of the caller's own networks: an agent cannot reach anything else by naming it.
    if (typeof msg.peer !== 'string' || !this.of(callerId).some((p) => p.id === msg.peer)) return refuse('not a container of this container\'s networks');
    const target = this.#agents.link(msg.peer);
    if (target && !target.connected && !target.closed) {
      // Meanwhile the caller may give up (its client went away): then nothing is opened.
      let gaveUp = false;
      caller.bindRelay(msg.s, { data: () => {}, control: (m) => void (gaveUp ||= m.t === 'portClose'), lost: () => void (gaveUp = true) });
      await target.until(true, AbortSignal.timeout(this.#opts.agentWaitMs));
      caller.unbindRelay(msg.s);
      if (gaveUp) return;
    }
    if (!target?.connected) return refuse('the container has no connected agent');
    if (!caller.connected) return;
    relayPort(caller, msg.s, target, msg.port);
  }
}
