// After a daemon restart the /ui history of a container starts with its restore, not a create.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/log';
import { startDaemon, type RunningDaemon } from '../../src/start';

const dirs: string[] = [];
const daemons: RunningDaemon[] = [];
afterAll(async () => {
  await Promise.all(daemons.map((d) => d.close().catch(() => {})));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function start(dataRoot: string): Promise<{ d: RunningDaemon; port: number }> {
  const d = await startDaemon({ hosts: ['tcp://127.0.0.1:0'], dataRoot, env: {}, logger: createLogger('warn'), simulator: { stopGraceMs: 2000 } });
  daemons.push(d);
  return { d, port: Number(new URL(d.listeners[0]!.url.replace(/^tcp:/, 'http:')).port) };
}

/** The detail the page gets for a container, over the page's own WebSocket. */
async function detailOf(port: number, id: string): Promise<{ transitions: { cause: { source: string; text: string } }[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ui/ws`);
  try {
    return await new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.type === 'hello') ws.send(JSON.stringify({ type: 'select', id }));
        if (m.type === 'detail') resolve(m.container);
      });
    });
  } finally {
    ws.close();
  }
}

it('a container restored from the store says so, where a new one says docker create', async () => {
  const dataRoot = await mkdtemp(join(tmpdir(), 'sockerless-ui-restart-'));
  dirs.push(dataRoot);
  const first = await start(dataRoot);
  const docker = new Docker({ host: '127.0.0.1', port: first.port });
  await new Promise<void>((resolve, reject) =>
    docker.pull('alpine', (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, () => resolve()))),
  );
  const c = await docker.createContainer({ Image: 'alpine', name: 'ui-restored', Cmd: ['true'] });
  expect((await detailOf(first.port, c.id)).transitions.at(-1)!.cause).toEqual({ source: 'api', text: 'docker create' });
  await first.d.close();

  const second = await start(dataRoot);
  const restored = await detailOf(second.port, c.id);
  expect(restored.transitions.at(-1)!.cause).toEqual({ source: 'daemon', text: 'restored from the store at daemon start' });
});
