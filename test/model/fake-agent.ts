// The in-job agent played by the test over the real /agent WebSocket route: it connects when a
// path says AGENT_CONNECTED (again, with the same instance, after a drop: a redial), reports the
// main process's exit when it says PROCESS_EXITED, and drops the connection on AGENT_LOST.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import WebSocket from 'ws';
import { CONTAINER_HEADER, decodeDaemonMessage, encodeMessage, MAIN_SESSION, PROTOCOL_VERSION, TOKEN_HEADER, type DaemonMessage } from '../../src/agent/protocol';

/** Where and as whom the agent dials: what the daemon put into the job. */
export interface AgentDial {
  callbackUrl: string;
  containerId: string;
  token: string;
}

export class FakeAgent {
  readonly #dial: AgentDial;
  readonly #instance = randomUUID();
  /** Signals the daemon asked the agent to send to the main process. */
  readonly signals: string[] = [];
  #ws: WebSocket | undefined;
  #beat: NodeJS.Timeout | undefined;
  /** Exec sessions the daemon opened (a health probe is one) and not yet ended, oldest first. */
  readonly #execs: number[] = [];
  #execArrived: (() => void) | undefined;

  constructor(dial: AgentDial) {
    this.#dial = dial;
  }

  get token(): string {
    return this.#dial.token;
  }

  /** Dials, says hello, and resolves once welcomed. */
  async connect(): Promise<void> {
    const ws = new WebSocket(this.#dial.callbackUrl, {
      headers: { [CONTAINER_HEADER]: this.#dial.containerId, [TOKEN_HEADER]: this.#dial.token },
    });
    this.#ws = ws;
    ws.on('error', () => {});
    const welcomed = new Promise<DaemonMessage>((resolve, reject) => {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const msg = decodeDaemonMessage(data.toString());
        if (msg.t === 'welcome') resolve(msg);
        if (msg.t === 'signal') this.signals.push(msg.signal);
        if (msg.t === 'exec') {
          this.#execs.push(msg.s);
          this.#execArrived?.();
        }
        if (msg.t === 'hb') ws.send(encodeMessage({ t: 'hb' }));
      });
      ws.on('close', (code) => reject(new Error(`the daemon closed the agent's connection (${code})`)));
    });
    welcomed.catch(() => {});
    await once(ws, 'open');
    ws.send(encodeMessage({ t: 'hello', v: PROTOCOL_VERSION, containerId: this.#dial.containerId, instance: this.#instance, pid: 1, sessions: [] }));
    const welcome = (await welcomed) as Extract<DaemonMessage, { t: 'welcome' }>;
    clearInterval(this.#beat);
    this.#beat = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(encodeMessage({ t: 'hb' })), welcome.heartbeatMs).unref();
  }

  /** The main process runs: the agent reports it (Docker's start answers then). */
  started(): void {
    if (this.#ws?.readyState !== WebSocket.OPEN) throw new Error('the fake agent is not connected');
    this.#ws.send(encodeMessage({ t: 'started', s: MAIN_SESSION, pid: 2 }));
  }

  /** The main process ended: the agent reports it. */
  exit(code: number, signal?: string): void {
    if (this.#ws?.readyState !== WebSocket.OPEN) throw new Error('the fake agent is not connected');
    this.#ws.send(encodeMessage({ t: 'exit', s: MAIN_SESSION, status: { code, ...(signal && { signal }) } }));
  }

  /** The oldest open exec session (a health probe's command) ends with `code`, once it has arrived. */
  async endExec(code: number): Promise<void> {
    for (let tries = 0; this.#execs.length === 0; tries++) {
      if (tries > 0) throw new Error('the daemon opened no exec session');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        this.#execArrived = () => (clearTimeout(timer), resolve());
      });
    }
    const s = this.#execs.shift()!;
    this.#ws!.send(encodeMessage({ t: 'started', s, pid: 3 }));
    this.#ws!.send(encodeMessage({ t: 'exit', s, status: { code } }));
  }

  /** The connection breaks (the replica's network, or the replica itself). */
  drop(): void {
    clearInterval(this.#beat);
    this.#ws?.terminate();
    this.#ws = undefined;
  }
}
