// Lets a test say "the container's process exits now with code N". Each process the container
// runs dials this server over the host's loopback TCP (from a replica with its own network, at
// slirp4netns' 10.0.2.2) and waits for a line with the code; lines for a process not yet connected wait.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

/** The container command: a Node process that dials in as `label` and exits as it is told. */
const script = `const [port, label] = process.argv.slice(1);
const dial = (hosts) => { const s = require('net').connect(+port, hosts[0], () => s.write(label + '\\n'));
  s.on('error', (e) => { if (hosts.length > 1) dial(hosts.slice(1)); else throw e; });
  let b = ''; s.on('data', (d) => { b += d; const i = b.indexOf('\\n'); if (i >= 0) process.exit(+b.slice(0, i)); }); };
dial(['127.0.0.1', '10.0.2.2']);`;

export class ExitControl {
  readonly #server: Server;
  readonly #sockets = new Map<string, Socket>();
  readonly #queued = new Map<string, string[]>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<ExitControl> {
    const server = createServer();
    const control = new ExitControl(server);
    server.on('connection', (socket) => control.#accept(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return control;
  }

  command(label: string): string[] {
    return [process.execPath, '-e', script, String((this.#server.address() as { port: number }).port), label];
  }

  /** The current (or next) process of `label` exits with `code`. */
  exit(label: string, code: number): void {
    const socket = this.#sockets.get(label);
    if (socket) socket.write(`${code}\n`);
    else this.#queued.set(label, [...(this.#queued.get(label) ?? []), `${code}\n`]);
  }

  /** Forgets a label's queued codes. */
  forget(label: string): void {
    this.#queued.delete(label);
  }

  async close(): Promise<void> {
    for (const s of this.#sockets.values()) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    let buffered = '';
    socket.on('error', () => {});
    const hello = (d: Buffer) => {
      buffered += d.toString();
      const i = buffered.indexOf('\n');
      if (i < 0) return;
      socket.off('data', hello);
      const label = buffered.slice(0, i);
      this.#sockets.set(label, socket);
      socket.once('close', () => this.#sockets.get(label) === socket && this.#sockets.delete(label));
      for (const line of this.#queued.get(label) ?? []) socket.write(line);
      this.#queued.delete(label);
    };
    socket.on('data', hello);
  }
}
