// How the bench drives the daemon: dockerode for `docker run` flows, plain node:http for the rest.
import { Agent, request } from 'node:http';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface RunResult {
  statusCode: number;
  ms: number;
  output: string;
}

/**
 * `docker run --rm IMAGE CMD` the way the CLI drives it: create with AutoRemove, attach, wait for
 * condition=removed, start, then the wait answer and the end of the attach stream.
 */
export async function dockerRunRm(docker: Docker, image: string, cmd: string[]): Promise<RunResult> {
  const started = performance.now();
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { AutoRemove: true },
  });
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
  const out = new PassThrough();
  let output = '';
  out.on('data', (b: Buffer) => (output += b.toString()));
  container.modem.demuxStream(stream, out, out);
  const streamEnded = new Promise<void>((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
  const waited = container.wait({ condition: 'removed' }) as Promise<{ StatusCode: number }>;
  // Settled here too, so a failed start never leaves the wait's rejection unhandled.
  const outcome = waited.then(
    (r) => ({ ok: true as const, r }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  try {
    await container.start();
  } catch (err) {
    stream.removeAllListeners?.('data');
    (stream as unknown as { destroy?: () => void }).destroy?.();
    throw err;
  }
  const settled = await outcome;
  if (!settled.ok) throw settled.err;
  const result = settled.r;
  await streamEnded;
  return { statusCode: result.StatusCode, ms: performance.now() - started, output };
}

/** A small keep-alive JSON client for the daemon's plain routes. */
export class HttpClient {
  readonly agent: Agent;
  constructor(
    readonly host: string,
    readonly port: number,
    maxSockets = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; bytes: number }> {
    const res = await this.raw(method, path, body);
    const text = res.body;
    const isJson = /json/.test(res.contentType);
    try {
      const parsed = text.length && isJson ? JSON.parse(text.toString('utf8')) : text.length ? text.toString('utf8') : undefined;
      return { status: res.status, body: parsed as T, bytes: text.length };
    } catch {
      // A stream of JSON messages (pull progress): the raw text.
      return { status: res.status, body: text.toString('utf8') as T, bytes: text.length };
    }
  }

  /** The response as it arrived, unparsed: resolves once its last byte is in. */
  async raw(method: string, path: string, body?: unknown): Promise<{ status: number; contentType: string; body: Buffer }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'] ?? '', body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like json(), but throws unless the status is one of `ok`. */
  async expect<T>(ok: number[], method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.json<T>(method, path, body);
    if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
