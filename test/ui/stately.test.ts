// --inspect: the actor system streams to the Stately inspector's bridge server, sanitized, and
// nothing of it is left once the daemon closes.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTcpDaemon, type TcpDaemon } from './daemon-on-tcp';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

interface StatelyMessage {
  type: string;
  name?: string;
  parentId?: string;
  sessionId: string;
  event?: { type: string };
  snapshot?: { value?: unknown; context?: { config?: { Env?: string[] } } };
}

describe('Stately inspector stream (--inspect)', () => {
  let d: TcpDaemon;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    d = await startTcpDaemon({ inspectPort: port });
  });
  afterAll(async () => {
    await d?.close();
  });

  it('sends the root and every container actor, without secrets, to the bridge page port', async () => {
    expect(d.running.inspectUrl).toBe(`http://localhost:${port}/`);
    const bridge = await (await fetch(d.running.inspectUrl!)).text();
    expect(bridge).toContain('https://stately.ai/inspect');

    // A second client of the bridge server gets what the daemon sends (as the bridge page does).
    const messages: StatelyMessage[] = [];
    const raw: string[] = [];
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    client.on('message', (m) => (raw.push(m.toString()), messages.push(JSON.parse(m.toString()) as StatelyMessage)));
    await new Promise((resolve) => client.once('open', resolve));

    const c = await d.docker.createContainer({ Image: 'alpine', name: 'inspected', Cmd: ['true'], Env: ['DB_PASSWORD=hunter2', 'MODE=fast'] });
    await c.start();
    await c.wait();
    const exitedValue = (m: StatelyMessage) => JSON.stringify(m.snapshot?.value ?? null).startsWith('{"exited"') || m.snapshot?.value === 'exited';
    await expect.poll(() => messages.some((m) => m.type === '@xstate.snapshot' && exitedValue(m))).toBe(true);

    const actors = messages.filter((m) => m.type === '@xstate.actor');
    const root = actors.find((m) => m.name === 'daemon');
    const container = actors.find((m) => m.name === c.id);
    expect(root).toBeDefined();
    expect(container?.parentId).toBe(root!.sessionId);
    expect(messages.some((m) => m.type === '@xstate.event' && m.event?.type === 'START' && m.sessionId === container!.sessionId)).toBe(true);
    expect(raw.filter((m) => m.includes('hunter2')).map((m) => m.slice(0, 300))).toEqual([]);
    const env = messages.find((m) => m.sessionId === container!.sessionId && m.snapshot?.context?.config?.Env)?.snapshot?.context?.config?.Env;
    expect(env).toEqual(expect.arrayContaining(['DB_PASSWORD=[redacted]', 'MODE=[redacted]']));
    expect(env!.every((e) => e.endsWith('=[redacted]'))).toBe(true);
    client.terminate();
    await c.remove();
  });

  it('is off by default and leaves its port free once closed', async () => {
    const plain = await startTcpDaemon();
    expect(plain.running.inspectUrl).toBeUndefined();
    await plain.close();

    await d.close();
    await new Promise<void>((resolve, reject) => {
      const probe = createServer().once('error', reject).listen(port, () => probe.close(() => resolve()));
    });
  });
});
