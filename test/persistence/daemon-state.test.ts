// A daemon's data root across restarts: starts empty, keeps Docker objects, refuses a damaged or
// newer store with a clear message (and leaves the file as it was).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { startDaemon, type RunningDaemon } from '../../src/start';
import { SCHEMA_VERSION, STORE_FILE } from '../../src/store';

let dir: string;
let running: RunningDaemon | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sockerless-state-'));
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<Docker> {
  const socket = join(dir, 'docker.sock');
  running = await startDaemon({
    hosts: [`unix://${socket}`], dataRoot: join(dir, 'data'), env: { SOCKERLESS_AGENT: 'off' }, logger: createLogger('warn'),
    simulator: { stopGraceMs: 2_000 },
  });
  return new Docker({ socketPath: socket });
}

async function restart(): Promise<Docker> {
  await running!.close();
  running = undefined;
  return start();
}

describe('the data root', () => {
  it('starts empty when fresh', async () => {
    const docker = await start();
    expect(await docker.listContainers({ all: true })).toEqual([]);
    expect(await docker.listImages()).toEqual([]);
    expect((await docker.listVolumes()).Volumes).toEqual([]);
    expect((await docker.listNetworks()).map((n) => n.Name).sort()).toEqual(['bridge', 'host', 'none']);
  });

  it('keeps the predefined networks\' ids', async () => {
    let docker = await start();
    const before = await docker.listNetworks();
    docker = await restart();
    expect(await docker.listNetworks()).toEqual(before);
  });

  it('keeps images, networks, volumes and what a container holds of them', async () => {
    let docker = await start();
    await new Promise<void>((resolve, reject) => docker.pull('alpine', (err: Error | null, stream: NodeJS.ReadableStream) => (err ? reject(err) : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())))));
    await docker.createNetwork({ Name: 'kept', Labels: { a: 'b' } });
    await docker.createVolume({ Name: 'data', Labels: { c: 'd' } });
    const container = await docker.createContainer({
      Image: 'alpine', name: 'holder', Cmd: ['true'], Labels: { e: 'f' },
      HostConfig: { NetworkMode: 'kept', Binds: ['data:/data'], RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } },
    });
    const before = {
      images: await docker.listImages(), networks: await docker.listNetworks(), volumes: (await docker.listVolumes()).Volumes,
      inspect: await container.inspect(), events: await eventsSoFar(docker),
    };

    docker = await restart();
    expect(await docker.listImages()).toEqual(before.images);
    expect(await docker.listNetworks()).toEqual(before.networks);
    expect((await docker.listVolumes()).Volumes).toEqual(before.volumes);
    expect(await docker.getContainer('holder').inspect()).toEqual(before.inspect);
    expect((await eventsSoFar(docker)).slice(0, before.events.length)).toEqual(before.events);
    // What it holds is still held: the volume is in use, the network has an endpoint.
    await expect(docker.getVolume('data').remove()).rejects.toMatchObject({ statusCode: 409 });
    await expect(docker.getNetwork('kept').remove()).rejects.toThrow(/active endpoints|in use/);
    await docker.getContainer('holder').remove();
    await docker.getVolume('data').remove();
    await docker.getNetwork('kept').remove();
  });

  it('refuses to start over a damaged store, saying so, and leaves it as it was', async () => {
    mkdirSync(join(dir, 'data'));
    const file = join(dir, 'data', STORE_FILE);
    writeFileSync(file, Buffer.alloc(16_384, 0x42));
    await expect(start()).rejects.toThrow(/sockerless\.db is damaged .*will not start over it/);
    expect(readFileSync(file)).toEqual(Buffer.alloc(16_384, 0x42));
  });

  it('refuses a store written by a newer schema', async () => {
    await start();
    await running!.close();
    running = undefined;
    const db = new Database(join(dir, 'data', STORE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    await expect(start()).rejects.toThrow(`schema version ${SCHEMA_VERSION + 1}, written by a newer Sockerless ACA`);
  });

  it('refuses a second daemon on the same data root', async () => {
    await start();
    const first = running;
    await expect(start()).rejects.toThrow(/in use by another process/);
    running = first;
  });
});

/** The event history so far (since 0, until now), as `docker events` replays it. */
async function eventsSoFar(docker: Docker): Promise<Array<{ Type: string; Action: string; Actor: { ID: string } }>> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const stream = (await docker.getEvents({ since: 0, until })) as unknown as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { Type: string; Action: string; Actor: { ID: string } });
}
