import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import {
  decodeData, decodeDaemonMessage, encodeData, encodeMessage, type AgentMessage, type DaemonMessage, type DataFrame,
} from './protocol';

export interface ConnectionHandlers {
  /** The socket is open: say hello. */
  opened(): void;
  message(msg: DaemonMessage): void;
  data(frame: DataFrame): void;
  /** The socket is gone; a new dial is scheduled. */
  lost(): void;
}

export interface ConnectionOptions {
  url: string;
  headers: Record<string, string>;
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A PEM trusted beside Node's root certificates (wss:// to a private CA). */
  ca?: string;
  debug?: (message: string) => void;
}

/**
 * The agent's side of the socket: dials, redials with exponential backoff (with jitter) after
 * any drop or failed dial, and declares the socket dead when nothing arrived for three
 * heartbeat periods (a half-open TCP connection never says so itself).
 */
export class Connection {
  readonly #opts: Required<Omit<ConnectionOptions, 'debug' | 'ca'>> & Pick<ConnectionOptions, 'debug' | 'ca'>;
  readonly #handlers: ConnectionHandlers;
  #ws: WebSocket | undefined;
  #failures = 0;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;
  #beat: NodeJS.Timeout | undefined;
  #lastHeard = 0;
  #everWelcomed = false;
  #refused = false;

  constructor(opts: ConnectionOptions, handlers: ConnectionHandlers) {
    this.#opts = { minDelayMs: 100, maxDelayMs: 5_000, ...opts };
    this.#handlers = handlers;
  }

  start(): void {
    this.#dial();
  }

  get open(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  send(msg: AgentMessage): void {
    if (this.open) this.#ws!.send(encodeMessage(msg));
  }

  sendData(frame: DataFrame): void {
    if (this.open) this.#ws!.send(encodeData(frame));
  }

  /** Whether the daemon ever accepted this agent. */
  get everWelcomed(): boolean {
    return this.#everWelcomed;
  }

  /** The daemon answered the upgrade with an HTTP error (a wrong token, a container it does not know). */
  get refused(): boolean {
    return this.#refused;
  }

  /** The daemon accepted us: the dial succeeded, so the next drop starts the backoff afresh. */
  welcomed(heartbeatMs: number): void {
    this.#failures = 0;
    this.#everWelcomed = true;
    clearInterval(this.#beat);
    this.#beat = setInterval(() => {
      if (Date.now() - this.#lastHeard > 3 * heartbeatMs) {
        this.#opts.debug?.('heartbeat timeout');
        this.#ws?.terminate();
        return;
      }
      this.send({ t: 'hb' });
    }, heartbeatMs);
    this.#beat.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#beat);
    this.#ws?.close();
  }

  #dial(): void {
    if (this.#stopped) return;
    const ca = this.#opts.ca && [...rootCertificates, this.#opts.ca];
    const ws = new WebSocket(this.#opts.url, { headers: this.#opts.headers, handshakeTimeout: 10_000, ...(ca && { ca }) });
    this.#ws = ws;
    ws.on('open', () => {
      this.#lastHeard = Date.now();
      this.#handlers.opened();
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.#lastHeard = Date.now();
      try {
        if (isBinary) this.#handlers.data(decodeData(data));
        else this.#handlers.message(decodeDaemonMessage(data.toString('utf8')));
      } catch (err) {
        this.#opts.debug?.(`bad frame from the daemon: ${(err as Error).message}`);
        ws.close(4400);
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      this.#refused = true;
      this.#opts.debug?.(`the daemon refused the connection: HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.on('error', (err) => this.#opts.debug?.(`connection error: ${err.message}`));
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      clearInterval(this.#beat);
      this.#handlers.lost();
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#stopped) return;
    const base = Math.min(this.#opts.maxDelayMs, this.#opts.minDelayMs * 2 ** this.#failures++);
    const delay = base / 2 + Math.random() * (base / 2);
    this.#retry = setTimeout(() => this.#dial(), delay);
  }
}
