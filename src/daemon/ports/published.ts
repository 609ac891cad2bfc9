import { createServer, type Server, type Socket } from 'node:net';
import type { AgentLink } from '../agent/link';
import type { Binding } from './bindings';

/** A listener that is open: the binding with the host port it got. */
export interface OpenBinding extends Binding {
  port: number;
}

export interface PublishedPortsOptions {
  /** The link of the container's current start (its agent carries each connection). */
  link(containerId: string): AgentLink | undefined;
  /** How long an accepted connection waits for the container's agent to be connected. */
  agentWaitMs: number;
  warn?: (fields: object, message: string) => void;
}

/**
 * Published ports: while a container runs, a listener per binding on the daemon's host; every
 * accepted connection becomes a port stream over the container's agent connection, which
 * connects to the port inside the replica. Works the same on Azure: the listener is the daemon's.
 */
export class PublishedPorts {
  readonly #opts: PublishedPortsOptions;
  readonly #open = new Map<string, { servers: Server[]; bindings: OpenBinding[] }>();
  /** Host ports once given, kept for the container's next start (dockerd keeps the mapping on restart when it can). */
  readonly #remembered = new Map<string, OpenBinding[]>();

  constructor(opts: PublishedPortsOptions) {
    this.#opts = opts;
  }

  /** Opens the container's listeners (again after a restart; a start that already has them keeps them). */
  async open(containerId: string, bindings: Binding[]): Promise<void> {
    if (this.#open.has(containerId) || !bindings.length) return;
    const entry = { servers: [] as Server[], bindings: [] as OpenBinding[] };
    this.#open.set(containerId, entry);
    const before = this.#remembered.get(containerId) ?? [];
    for (const [i, b] of bindings.entries()) {
      const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => void this.#accept(containerId, b.containerPort, socket));
      const want = b.hostPort || before[i]?.port || 0;
      let port: number;
      try {
        port = await listen(server, b.hostIp, want);
      } catch (err) {
        // The remembered port was taken meanwhile: any free one, as a first start would get.
        if (want === b.hostPort) {
          this.close(containerId);
          throw new Error(`Bind for ${b.hostIp}:${b.hostPort} failed: ${(err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'port is already allocated' : (err as Error).message}`);
        }
        port = await listen(server, b.hostIp, 0);
      }
      if (!this.#open.has(containerId)) return void server.close();
      entry.servers.push(server);
      entry.bindings.push({ ...b, port });
    }
    this.#remembered.set(containerId, entry.bindings);
  }

  /** The execution ended: its listeners close (open connections end with the agent's link). */
  close(containerId: string): void {
    const entry = this.#open.get(containerId);
    this.#open.delete(containerId);
    for (const server of entry?.servers ?? []) server.close();
  }

  /** The container is gone. */
  forget(containerId: string): void {
    this.close(containerId);
    this.#remembered.delete(containerId);
  }

  /** The open listeners of a running container. */
  of(containerId: string): readonly OpenBinding[] {
    return this.#open.get(containerId)?.bindings ?? [];
  }

  async #accept(containerId: string, containerPort: number, socket: Socket): Promise<void> {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    const link = this.#opts.link(containerId);
    if (link && !link.connected && !link.closed) await link.until(true, AbortSignal.timeout(this.#opts.agentWaitMs));
    if (!link?.connected) {
      this.#opts.warn?.({ containerId, containerPort }, 'a connection to a published port found no agent; closed');
      return void socket.destroy();
    }
    await link.openPort(containerPort, socket).catch(() => {});
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}
