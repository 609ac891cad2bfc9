// The bookkeeping both session kinds share (src/agent/session.ts): the exit report, repeated until
// acknowledged, the resume after a reconnect, stdin frames sent again, `done`. Each case runs a
// real process, piped (ProcessSession) and on a pseudo-terminal (PtySession), with a host that
// records what the agent would put on its connection.
import { describe, expect, it } from 'vitest';
import { ProcessSession, type ProcessSpec, type SessionOptions } from '../../src/agent/process-session';
import type { AgentMessage, DataFrame, ExitStatus } from '../../src/agent/protocol';
import { PtySession } from '../../src/agent/pty-session';

class RecordingHost {
  connected: boolean;
  readonly frames: DataFrame[] = [];
  readonly controls: AgentMessage[] = [];
  constructor(connected: boolean) {
    this.connected = connected;
  }
  send(frame: DataFrame): void {
    if (this.connected) this.frames.push(frame);
  }
  control(msg: AgentMessage): void {
    if (this.connected) this.controls.push(msg);
  }
  get text(): string {
    return Buffer.concat(this.frames.map((f) => f.data)).toString();
  }
  exits(): AgentMessage[] {
    return this.controls.filter((m) => m.t === 'exit');
  }
}

const kinds = [
  { name: 'piped', Session: ProcessSession, tty: false },
  { name: 'on a terminal', Session: PtySession, tty: true },
] as const;

function run(kind: (typeof kinds)[number], argv: string[], host: RecordingHost, opts: Partial<SessionOptions> = {}) {
  const spec: ProcessSpec = { argv, env: { PATH: process.env.PATH }, cwd: process.cwd(), stdin: 'pipe', tty: kind.tty, detached: true };
  let ended!: (status: ExitStatus) => void;
  const end = new Promise<ExitStatus>((resolve) => (ended = resolve));
  const session = new kind.Session(7, spec, host, { disconnectedLimit: 0, ...opts, onEnd: (s) => ended(s) });
  return { session, end };
}

describe.each(kinds)('a session $name', (kind) => {
  it('reports the exit after the last byte, and is done only once the output and the exit are acknowledged', async () => {
    const host = new RecordingHost(true);
    const { session, end } = run(kind, ['sh', '-c', 'printf hello; exit 3'], host);
    expect(await end).toEqual({ code: 3 });
    expect(host.text).toContain('hello');
    expect(host.controls.map((m) => m.t)).toEqual(['started', 'exit']);
    expect(host.exits()).toEqual([{ t: 'exit', s: 7, status: { code: 3 } }]);
    const last = host.frames.at(-1)!.seq;
    expect(session.report()).toEqual({ s: 7, firstSeq: 1, lastSeq: last, inSeq: 0, exit: { code: 3 } });
    expect(session.done).toBe(false);
    session.exitAcked();
    expect(session.done).toBe(false);
    session.ack(last);
    expect(session.done).toBe(true);
    expect(session.report()).toMatchObject({ firstSeq: 0, lastSeq: last });
  });

  it('holds output and the exit while disconnected, sends what the daemon lacks on resume, and the exit until acknowledged', async () => {
    const host = new RecordingHost(false);
    const { session, end } = run(kind, ['sh', '-c', 'printf one; sleep 0.1; printf two; exit 5'], host);
    expect(await end).toEqual({ code: 5 });
    expect(host.frames).toEqual([]);
    expect(host.exits()).toEqual([]);
    const held = session.out.unacked();
    expect(held.length).toBeGreaterThanOrEqual(2);
    host.connected = true;
    // The daemon already has the first frame: only the rest is sent again, then the exit.
    session.resume(held[0]!.seq);
    expect(host.frames.map((f) => f.seq)).toEqual(held.slice(1).map((f) => f.seq));
    expect(host.text).toContain('two');
    expect(host.exits()).toEqual([{ t: 'exit', s: 7, status: { code: 5 } }]);
    // Not acknowledged: a second reconnect repeats it; acknowledged: never again.
    session.resume(held.at(-1)!.seq);
    expect(host.exits()).toHaveLength(2);
    session.exitAcked();
    session.resume(held.at(-1)!.seq);
    expect(host.exits()).toHaveLength(2);
    expect(session.done).toBe(true);
  });

  it('takes each stdin frame once: a frame sent again after a reconnect is neither written nor acknowledged twice', async () => {
    const host = new RecordingHost(true);
    const { session, end } = run(kind, ['sh', '-c', 'read line; echo "got $line"'], host);
    const frame: DataFrame = { session: 7, stream: 'stdin', seq: 1, time: Date.now(), data: Buffer.from('ping\n') };
    session.stdin(frame);
    session.stdin(frame);
    expect(await end).toEqual({ code: 0 });
    await new Promise((r) => setTimeout(r, 50));
    expect(host.controls.filter((m) => m.t === 'ack')).toEqual([{ t: 'ack', s: 7, seq: 1 }]);
    expect(host.text).toContain('got ping');
    expect(host.text).not.toContain('got ping\r\ngot ping');
    expect(session.report().inSeq).toBe(1);
  });

  it('a command that cannot run ends with the runtime\'s code, its reason on the output and in the exit report', async () => {
    const host = new RecordingHost(true);
    const { session, end } = run(kind, ['no-such-command-here'], host);
    expect(await end).toEqual({ code: 127 });
    const message = 'exec: "no-such-command-here": executable file not found in $PATH';
    expect(host.text).toContain(message);
    expect(host.exits()).toEqual([{ t: 'exit', s: 7, status: { code: 127 }, error: message }]);
    expect(session.exit).toEqual({ code: 127 });
  });
});
