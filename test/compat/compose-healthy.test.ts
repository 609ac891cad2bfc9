// Issue 24: docker-compose 1.29 (file format 2.1) `depends_on: condition: service_healthy` waits
// for the health check, which the agent runs inside the container.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { missing, run } from './tools';

const absent = await missing('docker-compose');
if (absent) console.warn(`skipping the docker-compose health tests: ${absent}`);

const project = `version: "2.1"
services:
  db:
    image: alpine
    command: sh -c "sleep 2; touch /tmp/ready; sleep 120"
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/ready"]
      interval: 1s
      timeout: 5s
      retries: 60
  app:
    image: alpine
    command: sh -c "echo app started; sleep 120"
    depends_on:
      db:
        condition: service_healthy
`;

let d: TestDaemon;
let dir: string;
const compose = (...args: string[]) =>
  run('docker-compose', ['--no-ansi', ...args], { cwd: dir, env: { DOCKER_HOST: `unix://${d.socket}`, COMPOSE_PROJECT_NAME: 'hc', HOME: dir } });

interface Inspected {
  Created: string;
  State: { Status: string; Health?: { Status: string } };
}

describe.skipIf(absent !== undefined)('docker-compose 1.29 with depends_on: service_healthy', () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dir = await mkdtemp(join(tmpdir(), 'sockerless-compose-hc-'));
    await writeFile(join(dir, 'docker-compose.yml'), project);
  });
  afterAll(async () => {
    await d?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the dependent service only once the dependency is healthy', { timeout: 180_000 }, async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const up = await compose('up', '-d');
    expect(up.stderr).not.toMatch(/Traceback|is unhealthy/i);
    expect(up.code, up.stderr).toBe(0);

    const db = (await d.docker.getContainer('hc_db_1').inspect()) as unknown as Inspected;
    const app = (await d.docker.getContainer('hc_app_1').inspect()) as unknown as Inspected;
    expect(db.State.Health?.Status).toBe('healthy');
    expect(app.State.Status).toBe('running');

    // The app's container was created only after the db was announced healthy (the file came 2s in).
    const until = Math.ceil(Date.now() / 1000) + 1;
    const events = await d.cli(['events', '--since', String(since), '--until', String(until), '--format', '{{.TimeNano}} {{.Actor.Attributes.name}} {{.Action}}']);
    const lines = events.stdout.trim().split('\n').map((l) => l.split(' '));
    const at = (name: string, action: string) => lines.find((l) => l[1] === name && l.slice(2).join(' ') === action)?.[0];
    const healthy = at('hc_db_1', 'health_status: healthy');
    const created = at('hc_app_1', 'create');
    expect(healthy, events.stdout).toBeDefined();
    expect(created, events.stdout).toBeDefined();
    expect(BigInt(created!)).toBeGreaterThan(BigInt(healthy!));

    const down = await compose('down');
    expect(down.code).toBe(0);
  });
});
