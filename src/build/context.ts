import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { BuildError } from './builder';

/** The largest Dockerfile read from a context. */
const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

const normalize = (p: string) => p.replace(/^(\.\/)+/, '').replace(/^\/+/, '').replace(/\/+/g, '/');

/**
 * Reads the Dockerfile out of a build context tar (plain or gzip), draining everything else:
 * nothing else is needed, since COPY and ADD are not executed here.
 */
export async function dockerfileFromContext(body: ReadableStream<Uint8Array> | null, name: string): Promise<string> {
  if (!body) throw new BuildError('the build context is empty: send the context as a tar body');
  const wanted = normalize(name);
  const found = new Map<string, string>();
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const path = normalize(header.name);
    const keep = header.type === 'file' && (path === wanted || (wanted === 'Dockerfile' && path === 'dockerfile'));
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (data: unknown) => {
      if (!keep) return;
      const chunk = data as Buffer;
      size += chunk.length;
      if (size > MAX_DOCKERFILE_BYTES) stream.destroy(new BuildError(`${name} is larger than ${MAX_DOCKERFILE_BYTES} bytes`));
      else chunks.push(chunk);
    });
    stream.on('end', () => {
      if (keep) found.set(path, Buffer.concat(chunks).toString('utf8'));
      next();
    });
    stream.on('error', next);
    stream.resume();
  });
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  const [first, rest] = await peek(source);
  try {
    if (first[0] === 0x1f && first[1] === 0x8b) await pipeline(rest, createGunzip(), tar);
    else await pipeline(rest, tar);
  } catch (err) {
    if (err instanceof BuildError) throw err;
    throw new BuildError(`the build context is not a valid tar archive: ${(err as Error).message}`);
  }
  const text = found.get(wanted) ?? (wanted === 'Dockerfile' ? found.get('dockerfile') : undefined);
  if (text === undefined) throw new BuildError(`Cannot locate specified Dockerfile: ${name}`);
  return text;
}

/** The first bytes of a stream (to sniff compression), and a stream that still yields all of it. */
async function peek(source: Readable): Promise<[Buffer, Readable]> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await iterator.next();
  const first: Buffer = head.done ? Buffer.alloc(0) : Buffer.from(head.value as Uint8Array);
  async function* all() {
    yield first;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value as Uint8Array;
  }
  return [first, Readable.from(all())];
}
