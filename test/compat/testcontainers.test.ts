// Issue 20 acceptance: Testcontainers for Node (npm `testcontainers`, a client nobody here wrote)
// against the daemon on the simulator: a GenericContainer with an exposed port, wait strategies on
// a log line and on the port, getMappedPort, a request from the test, exec, copyFilesToContainer,
// logs, stop. Ryuk is disabled: it is a reaper container that must bind-mount the daemon's socket
// and accept connections on its own port to watch the session; its job here (removing what a
// crashed test left) is done by the test daemon's teardown, which removes everything.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

// testcontainers 12 declares Node >= 22.22 (its undici needs it); CI runs Node 24.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const tooOld = nodeMajor < 22;
if (tooOld) console.warn(`SKIPPED test/compat/testcontainers.test.ts: Testcontainers for Node needs Node 22+, this is ${process.version}`);

/** A port nobody listens on now (in this run replicas share the host's network). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const httpServer = (port: number) =>
  `require('http').createServer((q,r)=>r.end('hello from '+q.url)).listen(${port},()=>console.log('server ready on ${port}'))`;

let d: TestDaemon;
beforeAll(async () => {
  if (tooOld) return;
  d = await startTestDaemon({ env: { SOCKERLESS_PUBLISH_HOST_IP: '127.0.0.1' } });
  process.env.DOCKER_HOST = `unix://${d.socket}`;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
});
afterAll(async () => {
  await d?.close();
});

describe.skipIf(tooOld)('Testcontainers for Node', () => {
  it('GenericContainer: exposed port, waits, getMappedPort, a request answered, exec, copyFilesToContainer, logs, stop', { timeout: 120_000 }, async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const inside = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'sockerless-tc-'));
    await writeFile(join(dir, 'note.txt'), 'copied in\n');

    const container = await new GenericContainer('alpine')
      .withCommand(['node', '-e', httpServer(inside)])
      .withExposedPorts(inside)
      // The port is waited for from the host, through the published port (forListeningPorts would
      // also exec inside at once, before the agent has dialled: exec waiting for it is another issue's).
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage(`server ready on ${inside}`), Wait.forHttp('/ready', inside).forStatusCode(200)]))
      .withStartupTimeout(60_000)
      .start();
    try {
      const port = container.getMappedPort(inside);
      expect(port).not.toBe(inside);
      const res = await fetch(`http://${container.getHost()}:${port}/ping`);
      expect(await res.text()).toBe('hello from /ping');

      const exec = await container.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(exec).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });

      const target = `/tmp/tc-${inside}/note.txt`;
      await container.copyFilesToContainer([{ source: join(dir, 'note.txt'), target }]);
      expect((await container.exec(['cat', target])).output).toBe('copied in\n');

      const logs = await container.logs();
      const text = await new Promise<string>((resolve) => {
        let all = '';
        logs.on('data', (b: Buffer | string) => {
          all += b.toString();
          if (all.includes('server ready')) resolve(all);
        });
      });
      expect(text).toContain(`server ready on ${inside}`);
    } finally {
      const stopped = await container.stop({ timeout: 1 });
      expect(stopped.getId()).toBe(container.getId());
    }
    const after = await d.docker.listContainers({ all: true, filters: { id: [container.getId()] } });
    expect(after).toEqual([]);
  });
});
