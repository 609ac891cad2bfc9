// A real Registry v2 (Debian's docker-registry) on loopback, with basic auth, and an image pushed into it over plain HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import bcrypt from 'bcryptjs';
import { pack } from 'tar-stream';

export interface TestRegistry {
  /** `127.0.0.1:PORT`: the domain part of image references. */
  host: string;
  push(repository: string, tag: string, config: object): Promise<{ manifestDigest: string; configDigest: string }>;
  close(): Promise<void>;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

async function tarOf(name: string, content: string): Promise<Buffer> {
  const p = pack();
  p.entry({ name }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** With `user` empty, the registry needs no credentials at all (anonymous pulls and pushes). */
export async function startRegistry(user: string, password: string): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'sockerless-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  if (user) await writeFile(join(dir, 'htpasswd'), `${user}:${bcrypt.hashSync(password, 5)}\n`);
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
      `http: { addr: "${host}" }`,
      ...(user ? [`auth: { htpasswd: { realm: test-realm, path: ${join(dir, 'htpasswd')} } }`] : []),
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const base = `http://${host}/v2`;
  for (let i = 0; ; i++) {
    const up = await fetch(`${base}/`).then((r) => r.status === (user ? 401 : 200), () => false);
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`docker-registry did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  async function upload(repository: string, blob: Buffer): Promise<string> {
    const digest = sha256(blob);
    const start = await fetch(`${base}/${repository}/blobs/uploads/`, { method: 'POST', headers: { Authorization: authorization } });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location')!, `http://${host}`);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', headers: { Authorization: authorization, 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(blob) });
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
    return digest;
  }

  return {
    host,
    async push(repository, tag, config) {
      const tar = await tarOf('hello.txt', 'pushed by the test\n');
      const layer = gzipSync(tar);
      const blob = Buffer.from(JSON.stringify({ ...config, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } }));
      const configDigest = await upload(repository, blob);
      const layerDigest = await upload(repository, layer);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: blob.length, digest: configDigest },
          layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
        }),
      );
      const put = await fetch(`${base}/${repository}/manifests/${tag}`, {
        method: 'PUT',
        headers: { Authorization: authorization, 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
        body: new Uint8Array(manifest),
      });
      if (put.status !== 201) throw new Error(`manifest upload: ${put.status} ${await put.text()}`);
      return { manifestDigest: sha256(manifest), configDigest };
    },
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
