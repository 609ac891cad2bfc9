// A daemon on the embedded simulator listening on loopback TCP, so a browser can reach /ui/.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { createLogger } from '../../src/log';
import type { SimulatorOptions } from '../../src/simulator';
import { startDaemon, type RunningDaemon } from '../../src/start';

export interface TcpDaemon {
  running: RunningDaemon;
  /** http://127.0.0.1:PORT */
  base: string;
  docker: Docker;
  close(): Promise<void>;
}

export async function startTcpDaemon(opts: { inspectPort?: number; simulator?: SimulatorOptions; env?: NodeJS.ProcessEnv } = {}): Promise<TcpDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'sockerless-ui-'));
  const running = await startDaemon({
    hosts: ['tcp://127.0.0.1:0'],
    dataRoot: join(dir, 'data'),
    env: opts.env ?? {},
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'warn'),
    simulator: { stopGraceMs: 2000, ...opts.simulator },
    inspectPort: opts.inspectPort,
  });
  const port = Number(new URL(running.listeners[0]!.url.replace(/^tcp:/, 'http:')).port);
  const docker = new Docker({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) =>
    docker.pull('alpine', (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, () => resolve()))),
  );
  return {
    running,
    base: `http://127.0.0.1:${port}`,
    docker,
    async close() {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
