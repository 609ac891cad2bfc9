// Issue 20: docker-compose 1.29, a two-service project whose client reaches the server by its
// service name (`http://web:80/`), through the two containers' agents.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { IS_ROOT } from '../simulator/isolation-support';
import { missing, run } from './tools';

const absent = await missing('docker-compose');
if (absent) console.warn(`skipping the docker-compose service-name test: ${absent}`);

// `expose` declares the port the other services reach (as an image's EXPOSE would). The client
// retries, as clients of a compose project must: depends_on waits for the server's start, not
// for it to listen.
const project = `version: "2.1"
services:
  web:
    image: alpine
    command: sh -c "mkdir -p /www && echo hello-from-web >/www/index.html && exec busybox httpd -f -p 80 -h /www"
    expose:
      - "80"
  client:
    image: alpine
    command: sh -c "i=0; while [ $$i -lt 60 ]; do wget -qO- http://web:80/ && exit 0; i=$$((i+1)); sleep 1; done; exit 1"
    depends_on:
      - web
`;

let d: TestDaemon;
let dir: string;
const compose = (...args: string[]) =>
  run('docker-compose', ['--no-ansi', ...args], { cwd: dir, env: { DOCKER_HOST: `unix://${d.socket}`, COMPOSE_PROJECT_NAME: 'names', HOME: dir } });

// The caller's agent resolves names as the replica's init, which needs the simulator's namespaces (root).
describe.skipIf(absent !== undefined || !IS_ROOT)('docker-compose 1.29: a service reaches another by its service name', () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dir = await mkdtemp(join(tmpdir(), 'sockerless-compose-names-'));
    await writeFile(join(dir, 'docker-compose.yml'), project);
  });
  afterAll(async () => {
    await d?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('up: the client fetches http://web:80/ and its logs show the answer; down removes everything', { timeout: 180_000 }, async () => {
    const up = await compose('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const exit = (await d.docker.getContainer('names_client_1').wait()) as { StatusCode: number };
    const logs = await compose('logs', '--no-color', 'client');
    expect(exit.StatusCode, logs.stdout).toBe(0);
    expect(logs.stdout).toMatch(/client_1\s+\| hello-from-web/);

    // httpd as the container's PID 1 ignores SIGTERM, as under dockerd: a short stop timeout.
    const down = await compose('down', '--timeout', '1');
    expect(down.code, down.stderr).toBe(0);
    expect(await d.docker.listContainers({ all: true, filters: { label: ['com.docker.compose.project=names'] } })).toEqual([]);
    expect((await d.docker.listNetworks({ filters: { name: ['names_default'] } })).length).toBe(0);
  });
});
