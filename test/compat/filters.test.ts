// Docker's filter semantics through the CLI on ps, images, network ls and volume ls; system df; image and volume events.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  d = await startTestDaemon();
  dir = await mkdtemp(join(tmpdir(), 'sockerless-filters-'));
});
afterAll(async () => {
  await d?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lines = (s: string) => s.split('\n').filter(Boolean).sort();

describe('filters as Docker applies them', { timeout: 120_000 }, () => {
  it('ps: label=k, label=k=v, name, status', async () => {
    await d.cli(['create', '--name', 'f-web', '--label', 'app=web', '--label', 'tier', 'alpine', 'true']);
    await d.cli(['run', '--name', 'f-db', '--label', 'app=db', 'alpine', 'true']);
    await d.cli(['run', '-d', '--name', 'f-up', '--label', 'app=web', 'alpine', 'sleep', '30']);
    const ps = async (...f: string[]) => lines((await d.cli(['ps', '-a', '--format', '{{.Names}}', ...f.flatMap((x) => ['--filter', x])])).stdout);
    expect(await ps('label=app')).toEqual(['f-db', 'f-up', 'f-web']);
    expect(await ps('label=app=web')).toEqual(['f-up', 'f-web']);
    expect(await ps('label=tier')).toEqual(['f-web']);
    expect(await ps('label=app=web', 'status=running')).toEqual(['f-up']);
    expect(await ps('status=exited')).toEqual(['f-db']);
    expect(await ps('status=created')).toEqual(['f-web']);
    expect(await ps('name=f-d')).toEqual(['f-db']);
    expect(lines((await d.cli(['ps', '--format', '{{.Names}}'])).stdout)).toEqual(['f-up']);
    await d.cli(['rm', '-f', 'f-web', 'f-db', 'f-up']);
  });

  it('images: dangling after a rebuild takes the tag, label=k and label=k=v on built images, reference', async () => {
    await writeFile(join(dir, 'Dockerfile'), 'FROM alpine\nLABEL stage=one kind=app\nCMD ["true"]\n');
    expect((await d.cli(['build', '-q', '-t', 'filtered:1', dir])).code).toBe(0);
    const first = (await d.cli(['images', '-q', '--no-trunc', 'filtered:1'])).stdout.trim();
    await writeFile(join(dir, 'Dockerfile'), 'FROM alpine\nLABEL stage=two kind=app\nCMD ["true"]\n');
    expect((await d.cli(['build', '-q', '-t', 'filtered:1', dir])).code).toBe(0);
    const images = async (...f: string[]) => lines((await d.cli(['images', '-q', '--no-trunc', ...f.flatMap((x) => ['--filter', x])])).stdout);
    expect(await images('dangling=true')).toEqual([first]);
    expect((await images('label=kind')).length).toBe(2);
    expect(await images('label=stage=one')).toEqual([first]);
    expect(await images('label=stage=two')).not.toContain(first);
    expect(await images('reference=filtered:*')).toHaveLength(1);
    expect((await d.cli(['image', 'prune', '-f'])).stdout).toContain(first);
    expect(await images('dangling=true')).toEqual([]);
  });

  it('system df counts what exists; image and volume events are announced', async () => {
    await d.cli(['volume', 'create', 'df-vol']);
    await d.cli(['create', '--name', 'df-c', '-v', 'df-vol:/v', 'alpine', 'true']);
    const df = await d.cli(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']);
    expect(df.code).toBe(0);
    expect(lines(df.stdout)).toEqual(expect.arrayContaining(['Containers 1 0', 'Local Volumes 1 1']));
    await d.cli(['rm', 'df-c']);
    await d.cli(['volume', 'rm', 'df-vol']);
    await d.cli(['tag', 'alpine', 'evt:1']);
    await d.cli(['rmi', 'evt:1']);
    const until = String(Math.ceil(Date.now() / 1000) + 1);
    const events = await d.cli(['events', '--since', '0', '--until', until, '--filter', 'type=volume', '--filter', 'type=image', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']);
    const got = events.stdout.split('\n').filter(Boolean);
    expect(got).toEqual(expect.arrayContaining(['volume create <no value>', 'volume destroy <no value>', 'image pull alpine', 'image tag evt:1', 'image untag evt:1']));
  });
});
