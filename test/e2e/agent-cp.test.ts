// Issue 3 acceptance: docker cp both ways through the agent, files and directories byte-equal;
// a tar that tries to leave the target directory is refused and nothing crashes.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { runningWithAgent } from './agent-helpers';

let d: TestDaemon;
let id: string;
let local: string;
beforeAll(async () => {
  d = await startTestDaemon();
  await d.cli(['pull', 'alpine']);
  id = await runningWithAgent(d, ['sleep', '120'], ['-w', '/work']);
  local = await mkdtemp(join(tmpdir(), 'sockerless-cp-'));
});
afterAll(async () => {
  await d?.close();
});

async function tarOf(entries: Array<{ name: string; type?: 'file' | 'symlink' | 'link'; body?: string; linkname?: string }>): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname }, e.body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('docker cp with the agent', () => {
  it('a file goes in and comes back out byte-equal', async () => {
    const content = randomBytes(300_000);
    await writeFile(join(local, 'blob.bin'), content);
    expect((await d.cli(['cp', join(local, 'blob.bin'), `${id}:/work/blob.bin`])).code).toBe(0);
    const back = join(local, 'blob-back.bin');
    const r = await d.cli(['cp', `${id}:/work/blob.bin`, back]);
    expect(r.code).toBe(0);
    expect((await readFile(back)).equals(content)).toBe(true);
    expect((await d.cli(['exec', id, 'sh', '-c', 'wc -c < /work/blob.bin'])).stdout.trim()).toBe('300000');
  });

  it('a directory goes in and comes back out with the same tree', async () => {
    const dir = join(local, 'tree');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'a.txt'), 'alpha\n');
    await writeFile(join(dir, 'sub', 'b.txt'), 'beta\n');
    expect((await d.cli(['cp', dir, `${id}:/work/`])).code).toBe(0);
    expect((await d.cli(['exec', id, 'cat', '/work/tree/sub/b.txt'])).stdout).toBe('beta\n');
    const out = join(local, 'out');
    expect((await d.cli(['cp', `${id}:/work/tree`, out])).code).toBe(0);
    expect(await readFile(join(out, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(await readFile(join(out, 'sub', 'b.txt'), 'utf8')).toBe('beta\n');
  });

  it('stat (HEAD) carries Docker\'s path-stat header with Go mode bits; a missing path is 404', async () => {
    const { request } = await import('node:http');
    const header = await new Promise<string>((resolve, reject) =>
      request({ socketPath: d.socket, method: 'HEAD', path: `/containers/${id}/archive?path=%2Fwork` }, (res) => {
        resolve(String(res.headers['x-docker-container-path-stat']));
        res.resume();
      }).on('error', reject).end(),
    );
    const stat = JSON.parse(Buffer.from(header, 'base64').toString());
    expect(stat).toMatchObject({ name: 'work' });
    expect(stat.mode >= 2 ** 31).toBe(true);
    const r = await d.cli(['cp', `${id}:/no/such/file`, join(local, 'x')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Could not find the file /no/such/file');
  });

  it('a tar with ../x is refused with 400 and writes nothing outside the target', async () => {
    const archive = await tarOf([{ name: 'ok.txt', body: 'fine' }, { name: '../x', body: 'escaped' }]);
    const err = await d.docker.getContainer(id).putArchive(archive, { path: '/work' }).catch((e) => e);
    expect(err.statusCode).toBe(400);
    expect(err.json.message).toContain('../x');
    expect((await d.cli(['exec', id, 'test', '-e', '/x'])).code).toBe(1);
    const links = await tarOf([{ name: 'evil', type: 'symlink', linkname: '/etc' }]);
    const refused = await d.docker.getContainer(id).putArchive(links, { path: '/work' }).catch((e) => e);
    expect(refused.statusCode).toBe(400);
    expect((await d.cli(['exec', id, 'echo', 'still here'])).stdout).toBe('still here\n');
  });
});
