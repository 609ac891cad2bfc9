import { connect, type Socket } from 'node:net';
import type { SessionHost } from './process-session';
import type { DataFrame } from './protocol';
import { PumpTable } from './pump-table';
import { SocketPump } from './socket-pump';

/**
 * The agent's port streams: each `portOpen` is one TCP connection to a port on the replica's
 * loopback (where a published or named port's server listens), pumped over the agent's connection.
 */
export class AgentPorts extends PumpTable {
  readonly #host: SessionHost;
  readonly #pending = new Map<number, Socket>();

  constructor(host: SessionHost) {
    super();
    this.#host = host;
  }

  open(s: number, port: number): void {
    if (this.#pending.has(s) || this.pumps.has(s)) return;
    const socket = connect({ host: 'localhost', port, allowHalfOpen: true, autoSelectFamily: true });
    this.#pending.set(s, socket);
    const failed = (err: Error) => {
      if (!this.#pending.delete(s)) return;
      socket.destroy();
      this.#host.control({ t: 'portClose', s, error: err.message });
    };
    socket.once('error', failed);
    socket.once('connect', () => {
      if (!this.#pending.delete(s)) return void socket.destroy();
      socket.off('error', failed);
      socket.setNoDelay(true);
      const link = { sendData: (f: DataFrame) => this.#host.send(f), control: this.#host.control };
      const pump = new SocketPump(s, socket, link, () => this.pumps.delete(s));
      this.pumps.set(s, pump);
      this.#host.control({ t: 'portOpened', s });
      pump.flow();
    });
  }

  has(s: number): boolean {
    return this.pumps.has(s) || this.#pending.has(s);
  }

  override close(s: number): void {
    this.#pending.get(s)?.destroy();
    this.#pending.delete(s);
    super.close(s);
  }

  /** The connection to the daemon dropped: port streams do not survive it. */
  closeAll(): void {
    for (const s of [...this.#pending.keys(), ...this.pumps.keys()]) this.close(s);
  }
}
