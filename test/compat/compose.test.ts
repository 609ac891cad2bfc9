// docker-compose 1.29 (Debian's package, on docker-py 5) against a daemon on the embedded simulator.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { missing, run } from './tools';

const absent = await missing('docker-compose');
if (absent) console.warn(`skipping the docker-compose tests: ${absent}`);

const project = `version: "2.4"
services:
  web:
    image: alpine
    command: sh -c "echo web is up; sleep 60"
    labels:
      tier: front
    volumes:
      - data:/data
    networks:
      back:
        aliases: [www]
  worker:
    image: busybox
    command: sh -c "echo worker did its job"
    networks: [back]
networks:
  back:
    labels:
      purpose: test
volumes:
  data:
    labels:
      purpose: test
`;

// One service writes the shared named volume and exits; the other, started after it, reads it.
const sharing = `version: "2.4"
services:
  writer:
    image: alpine
    command: sh -c "echo written by the writer > /shared/note"
    volumes:
      - shared:/shared
  reader:
    image: alpine
    command: cat /shared/note
    volumes:
      - shared:/shared:ro
    depends_on:
      writer:
        condition: service_completed_successfully
volumes:
  shared: {}
`;

let d: TestDaemon;
let dir: string;
const compose = (...args: string[]) =>
  run('docker-compose', ['--no-ansi', ...args], { cwd: dir, env: { DOCKER_HOST: `unix://${d.socket}`, COMPOSE_PROJECT_NAME: 'proj', HOME: dir } });

describe.skipIf(absent !== undefined)('docker-compose 1.29', () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dir = await mkdtemp(join(tmpdir(), 'sockerless-compose-'));
    await writeFile(join(dir, 'docker-compose.yml'), project);
    await writeFile(join(dir, 'sharing.yml'), sharing);
  });
  afterAll(async () => {
    await d?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('up -d, ps, logs, down -v of two services on a network with a named volume', { timeout: 180_000 }, async () => {
    const up = await compose('up', '-d');
    expect(up.stderr).not.toMatch(/error|Traceback/i);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain('Creating network "proj_back"');
    expect(up.stderr).toContain('Creating volume "proj_data"');

    const network = await d.docker.getNetwork('proj_back').inspect();
    expect(network.Labels).toMatchObject({ purpose: 'test', 'com.docker.compose.project': 'proj', 'com.docker.compose.network': 'back' });
    const web = await d.docker.getContainer('proj_web_1').inspect();
    expect(web.State.Status).toBe('running');
    expect(web.Config.Labels).toMatchObject({ tier: 'front', 'com.docker.compose.service': 'web' });
    expect(web.NetworkSettings.Networks.proj_back?.IPAddress).toMatch(/^172\.18\.0\.\d+$/);
    expect(web.NetworkSettings.Networks.proj_back?.Aliases).toEqual(expect.arrayContaining(['web', 'www']));
    expect(web.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: 'proj_data', Destination: '/data' })]);

    // The worker exits by itself; ps shows both services with their states.
    await d.docker.getContainer('proj_worker_1').wait();
    const ps = await compose('ps');
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(/proj_web_1\s.*Up/);
    expect(ps.stdout).toMatch(/proj_worker_1\s.*Exit 0/);

    const logs = await compose('logs', '--no-color');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/web_1\s+\| web is up/);
    expect(logs.stdout).toMatch(/worker_1\s+\| worker did its job/);

    const down = await compose('down', '-v');
    expect(down.stderr).not.toMatch(/error|Traceback/i);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('Removing network proj_back');
    expect(down.stderr).toContain('Removing volume proj_data');
    expect(await d.docker.listContainers({ all: true })).toEqual([]);
    expect((await d.docker.listNetworks()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
    expect((await d.docker.listVolumes()).Volumes).toEqual([]);
    // No container's own job is left (a shared job, job reuse, stays until reconciliation finds it idle).
    expect(d.running.simulator!.jobNames().filter((name) => !name.startsWith('sockerless-s-'))).toEqual([]);
  });

  it('two services share a named volume: the writer writes, the reader reads it; down -v removes it', { timeout: 180_000 }, async () => {
    const up = await compose('-f', 'sharing.yml', 'up', '--no-color');
    expect(up.stderr).not.toMatch(/error|Traceback/i);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/reader_1\s+\| written by the writer/);
    const volume = await d.docker.getVolume('proj_shared').inspect();
    expect(volume.Status).toMatchObject({ Backing: 'Azure Files' });

    const down = await compose('-f', 'sharing.yml', 'down', '-v');
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('Removing volume proj_shared');
    expect((await d.docker.listVolumes()).Volumes).toEqual([]);
    // The share went with the volume: a new volume of that name starts empty.
    const again = await d.cli(['run', '--rm', '-v', 'proj_shared:/shared', 'alpine', 'ls', '-A', '/shared']);
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect((await d.cli(['volume', 'rm', 'proj_shared'])).code).toBe(0);
  });
});
