import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { SessionHost } from './process-session';
import { AGENT_SESSIONS, type DataFrame, type PeerInfo } from './protocol';
import { PumpTable } from './pump-table';
import { SocketPump } from './socket-pump';

const HOSTS_MARK = '# sockerless: containers of this container\'s networks, relayed by its agent';
/** What may stand in /etc/hosts as a name (Docker's container names and aliases are of these characters). */
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;
/** How long a connection accepted while the daemon is out of reach waits for it. */
const DIAL_WAIT_MS = 15_000;

/** Where a stream the agent opens goes: a peer's port, or the daemon's own API. */
export type DialTarget = { peer: string; port: number } | { daemon: true };

export interface PeerOptions {
  /** The file names resolve through (/etc/hosts); names are not written where there is none. */
  hostsFile?: string;
  debug?: (message: string) => void;
}

/**
 * Names of the containers that share a user network with this one, as Docker's embedded DNS
 * gives them: each peer gets a loopback address of its own (127.x.y.z, never 127.0.0.1) written
 * in /etc/hosts beside its names, and the agent listens there on the peer's ports. Every
 * connection accepted becomes a port stream the agent opens itself (`dial`): the daemon relays
 * it to the peer's agent, which connects to the port inside its replica. Only TCP is carried.
 */
export class PeerListeners extends PumpTable {
  #host: SessionHost | undefined;
  readonly #opts: PeerOptions;
  readonly #addresses = new Map<string, string>();
  readonly #servers = new Map<string, Server>();
  /** Dialled, not yet answered: sent again once connected if the daemon was away. */
  readonly #dialing = new Map<number, { target: DialTarget; sent: boolean; timer: NodeJS.Timeout }>();
  #hostsBase: string | undefined;
  #next = AGENT_SESSIONS;

  constructor(opts: PeerOptions) {
    super();
    this.#opts = opts;
  }

  /** The agent's connection (the listeners open before it exists, so the first names resolve when the command starts). */
  attach(host: SessionHost): void {
    this.#host = host;
  }

  get #connected(): boolean {
    return this.#host?.connected ?? false;
  }

  /** The whole list of peers now: addresses for new ones, listeners opened and closed, /etc/hosts rewritten. */
  async update(peers: readonly PeerInfo[]): Promise<void> {
    const ids = new Set(peers.map((p) => p.id));
    for (const id of this.#addresses.keys()) if (!ids.has(id)) this.#addresses.delete(id);
    const taken = new Set(this.#addresses.values());
    const wanted = new Map<string, { peer: string; address: string; port: number }>();
    for (const p of peers) {
      let address = this.#addresses.get(p.id);
      if (!address) {
        do address = `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
        while (taken.has(address));
        taken.add(address);
        this.#addresses.set(p.id, address);
      }
      for (const port of p.ports) wanted.set(`${address}:${port}`, { peer: p.id, address, port });
    }
    for (const [key, server] of this.#servers) {
      if (wanted.has(key)) continue;
      server.close();
      this.#servers.delete(key);
    }
    this.#writeHosts(peers);
    await Promise.all(
      [...wanted].filter(([key]) => !this.#servers.has(key)).map(([key, w]) => this.#listen(key, w.peer, w.address, w.port)),
    );
  }

  #listen(key: string, peer: string, address: string, port: number): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.#accept(peer, port, socket));
    this.#servers.set(key, server);
    return new Promise((resolve) => {
      server.once('error', (err) => {
        this.#opts.debug?.(`cannot listen on ${key} for a peer: ${err.message}`);
        if (this.#servers.get(key) === server) this.#servers.delete(key);
        resolve();
      });
      server.listen({ host: address, port, exclusive: true }, () => resolve());
    });
  }

  #writeHosts(peers: readonly PeerInfo[]): void {
    const file = this.#opts.hostsFile;
    if (!file) return;
    try {
      if (this.#hostsBase === undefined) {
        const text = readFileSync(file, 'utf8');
        const at = text.indexOf(HOSTS_MARK);
        this.#hostsBase = at >= 0 ? text.slice(0, at) : text.endsWith('\n') || text === '' ? text : `${text}\n`;
      }
      const seen = new Set<string>();
      const lines = [];
      for (const p of peers) {
        // A name two peers share resolves to the first (Docker's DNS would answer either).
        const names = p.names.filter((n) => HOST_NAME.test(n) && !seen.has(n.toLowerCase()));
        for (const n of names) seen.add(n.toLowerCase());
        if (names.length) lines.push(`${this.#addresses.get(p.id)}\t${names.join(' ')}`);
      }
      // In place, not renamed over: /etc/hosts is often a mount of its own (a runtime's, Kubernetes').
      writeFileSync(file, lines.length ? `${this.#hostsBase}${HOSTS_MARK}\n${lines.join('\n')}\n` : this.#hostsBase);
    } catch (err) {
      this.#opts.debug?.(`cannot write ${file}: ${(err as Error).message}`);
    }
  }

  #accept(peer: string, port: number, socket: Socket): void {
    socket.setNoDelay(true);
    this.carry(socket, { peer, port });
  }

  /**
   * Carries a connection accepted in the container as a stream the agent opens (`dial`): to a
   * peer's port, or (`daemon`) to the daemon's own API. Waits while the daemon is out of reach.
   */
  carry(socket: Socket, target: DialTarget): void {
    const s = this.#next++;
    const link = { sendData: (f: DataFrame) => this.#host?.send(f), control: (m: Parameters<SessionHost['control']>[0]) => this.#host?.control(m) };
    const pump = new SocketPump(s, socket, link, () => this.#forget(s));
    this.pumps.set(s, pump);
    const timer = setTimeout(() => this.pumps.get(s)?.abort(), DIAL_WAIT_MS);
    timer.unref();
    const dial = { target, sent: this.#connected, timer };
    this.#dialing.set(s, dial);
    if (dial.sent) this.#host!.control({ t: 'dial', s, ...target });
  }

  #forget(s: number): void {
    this.pumps.delete(s);
    const dial = this.#dialing.get(s);
    if (dial) clearTimeout(dial.timer);
    this.#dialing.delete(s);
  }

  /** Connected (again): dials made while away go out now. */
  welcomed(): void {
    for (const [s, dial] of this.#dialing) {
      if (dial.sent) continue;
      dial.sent = true;
      this.#host!.control({ t: 'dial', s, ...dial.target });
    }
  }

  has(s: number): boolean {
    return this.pumps.has(s);
  }

  opened(s: number): void {
    const dial = this.#dialing.get(s);
    if (!dial) return;
    clearTimeout(dial.timer);
    this.#dialing.delete(s);
    this.pumps.get(s)?.flow();
  }

  /** The connection to the daemon dropped: streams in flight do not survive it (those not yet sent wait). */
  lost(): void {
    for (const [s, pump] of this.pumps) if (this.#dialing.get(s)?.sent !== false) pump.abort();
  }

  stop(): void {
    for (const server of this.#servers.values()) server.close();
    this.#servers.clear();
  }
}
