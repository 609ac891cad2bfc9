import type { Duplex } from 'node:stream';
import { Inbox, Outbox } from './outbox';
import type { DataFrame, PortClose, PortEnd } from './protocol';

/** What a pump needs of its side's connection: the agent's or the daemon's end of the WebSocket. */
export interface PumpLink {
  sendData(frame: DataFrame): void;
  control(msg: PortEnd | PortClose | { t: 'ack'; s: number; seq: number }): void;
}

/**
 * One TCP connection carried as a port stream (the same class on both ends: the daemon's side
 * holds the client's socket, the agent's side its socket to the replica's port; for the Docker
 * socket served in a container, the daemon's side is an in-process stream to its own API). Bytes read go
 * out numbered and are kept until acknowledged; a full window pauses the socket. Bytes received
 * are acknowledged once the socket has taken them. A FIN travels as `portEnd`, an error or reset
 * as `portClose`. Port streams do not survive a dropped agent connection (`abort`).
 */
export class SocketPump {
  readonly s: number;
  readonly #link: PumpLink;
  readonly #socket: Duplex;
  readonly #out: Outbox;
  readonly #in = new Inbox();
  #sentEnd = false;
  #gotEnd = false;
  #gone = false;
  readonly #onDone: () => void;

  /** `onDone` runs once, when the stream is over either way. The socket must allow half-open. */
  constructor(s: number, socket: Duplex, link: PumpLink, onDone: () => void) {
    this.s = s;
    this.#socket = socket;
    this.#link = link;
    this.#out = new Outbox(s);
    this.#onDone = onDone;
    socket.pause();
    socket.on('error', () => {});
    socket.on('close', () => {
      if (!this.#gone && !(this.#sentEnd && this.#gotEnd)) this.#link.control({ t: 'portClose', s });
      this.#done();
    });
  }

  /** Both ends are connected: start reading the socket. */
  flow(): void {
    const socket = this.#socket;
    socket.on('data', (chunk: Buffer) => {
      this.#link.sendData(this.#out.push('port', chunk));
      if (this.#out.full) socket.pause();
    });
    socket.on('end', () => {
      this.#sentEnd = true;
      this.#link.control({ t: 'portEnd', s: this.s });
    });
    socket.resume();
  }

  data(frame: DataFrame): void {
    if (!this.#in.accept(frame)) return;
    const ack = () => this.#link.control({ t: 'ack', s: this.s, seq: frame.seq });
    if (this.#socket.destroyed || this.#socket.writableEnded) return ack();
    this.#socket.write(frame.data, (err) => (err ? undefined : ack()));
  }

  ack(seq: number): void {
    this.#out.ack(seq);
    if (!this.#out.full && !this.#gone && this.#socket.isPaused()) this.#socket.resume();
  }

  /** The other side will send nothing more: end our socket's writing half once its queue drains. */
  end(): void {
    this.#gotEnd = true;
    this.#socket.end();
  }

  /** The other side aborted (or the connection carrying the stream is gone). */
  abort(): void {
    this.#gone = true;
    this.#socket.destroy();
    this.#done();
  }

  #done(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#gone = true;
    this.#onDone();
  }

  #finished = false;
}
