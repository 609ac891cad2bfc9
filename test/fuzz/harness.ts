// Shared pieces of the fuzz suites: the app's routes, a raw HTTP client that never throws on a
// bad answer, the daemon's observable state, and the oracle every answer must satisfy.
import { appendFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { TestDaemon } from '../helpers/daemon';

/** The seed every suite uses; `FUZZ_SEED=n` reproduces another run. */
export const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
/**
 * Per-test limit: generous, because the suites share two cores with the rest of the run and a
 * timeout must not stand in for a finding (the case count is fixed; only the time varies).
 */
export const FUZZ_TIMEOUT_MS = 600_000;
/** `FUZZ_RUNS_SCALE=10` for a long local run. */
export const SCALE = Number(process.env.FUZZ_RUNS_SCALE ?? 1);

export interface Route {
  /** The methods the route answers (all of them for an `app.all` route). */
  methods: string[];
  path: string;
}

const ANY_METHOD = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD'];

/** Every path the app answers, with its methods, from `app.routes`: new routes are fuzzed as they land. */
export function appRoutes(app: TestDaemon['running']['app']): Route[] {
  const seen = new Map<string, Route>();
  for (const r of app.routes) {
    if (r.path === '/*') continue; // app.use middleware, not a route
    const route = seen.get(r.path) ?? { methods: [], path: r.path };
    for (const method of r.method === 'ALL' ? ANY_METHOD : [r.method]) if (!route.methods.includes(method)) route.methods.push(method);
    seen.set(r.path, route);
  }
  return [...seen.values()];
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The route took the socket over (101). */
  upgraded: boolean;
}

export interface Sent {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Send the body chunked instead of with a Content-Length. */
  chunked?: boolean;
  /** Read a 2xx body to its end (for set-up requests), not just for a moment. */
  full?: boolean;
}

/** Plain answers are read whole; a 2xx stream is read for this long, then dropped (it may never end). */
const STREAM_READ_MS = 30;
const ANSWER_TIMEOUT_MS = 30_000;

export class Client {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 4 });
  constructor(readonly socketPath: string) {}

  /** Undefined when Node's own client refuses to send it (an illegal header character, say). */
  send(s: Sent): Promise<Answer | undefined> {
    return new Promise((resolve, reject) => {
      let req: ReturnType<typeof request>;
      try {
        // Node frames a written body with chunks only for methods that usually have one; say so
        // explicitly, or DELETE/OPTIONS bytes go out unframed and poison the kept-alive socket.
        // (and Node sends no Content-Length for a DELETE body passed to end()).
        const framing = s.body ? (s.chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(s.body.length) }) : {};
        const headers = { ...s.headers, ...framing };
        req = request({ socketPath: this.socketPath, method: s.method, path: s.path, headers, agent: this.#agent });
      } catch {
        return resolve(undefined);
      }
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms to ${s.method} ${s.path}`));
      }, ANSWER_TIMEOUT_MS);
      const done = (a: Answer) => (clearTimeout(timer), resolve(a));
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        done({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0), upgraded: true });
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let stop: NodeJS.Timeout | undefined;
        const finish = () => {
          clearTimeout(stop);
          done({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), upgraded: false });
        };
        if (res.statusCode! < 400 && !s.full) {
          stop = setTimeout(() => (res.destroy(), finish()), STREAM_READ_MS);
        }
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', finish);
        res.on('error', finish);
        res.on('aborted', finish);
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        // A request Node's parser rejects (a head over the size limit) is answered before the
        // daemon knows its method, with a JSON body that a HEAD client cannot expect.
        if (s.method === 'HEAD' && err.code === 'HPE_CLOSED_CONNECTION') return resolve(undefined);
        reject(err);
      });
      if (s.body && s.chunked) {
        req.write(s.body);
        req.end();
      } else req.end(s.body);
    });
  }

  close() {
    this.#agent.destroy();
  }
}

/** Writes raw bytes on a fresh connection and collects whatever comes back until it closes. */
export function raw(socketPath: string, bytes: Buffer | string, opts: { endAfterWrite?: boolean; closeAfterMs?: number } = {}): Promise<{ text: string; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('latin1'), socket }));
    socket.write(bytes, () => {
      if (opts.endAfterWrite) socket.end();
    });
    if (opts.closeAfterMs !== undefined) setTimeout(() => socket.destroy(), opts.closeAfterMs);
  });
}

/** What a request can change: containers, images, networks, volumes, and ARM writes/jobs. */
export async function snapshot(d: TestDaemon, client: Client): Promise<string> {
  // In process (no socket): the lists are what `docker ps -a`, `images`, `network ls`, `volume ls` show.
  void client;
  const get = async (path: string) => {
    const res = await d.running.app.request(path, {}, {});
    const text = await res.text();
    if (res.status !== 200) return `${path}: ${res.status} ${text.slice(0, 300)}`;
    return JSON.parse(text) as Array<Record<string, unknown>>;
  };
  const [containers, images, networks, volumes] = await Promise.all([get('/containers/json?all=1'), get('/images/json'), get('/networks'), get('/volumes')]);
  const pick = (xs: unknown, keys: string[]) =>
    Array.isArray(xs) ? xs.map((x: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, x[k]]))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : xs;
  const sim = d.running.simulator!;
  return JSON.stringify({
    containers: pick(containers, ['Id', 'Names', 'State', 'Image', 'Labels']),
    images: pick(images, ['Id', 'RepoTags']),
    networks: pick(networks, ['Id', 'Name', 'Labels']),
    volumes: pick((volumes as { Volumes?: unknown }).Volumes ?? volumes, ['Name', 'Labels']),
    jobs: sim.jobNames().sort(),
    armWrites: sim.stats().writes,
  });
}

/** Answers that are not a client mistake's: not-implemented families and `later` routes. */
const NOT_IMPLEMENTED = 501;

/** Routes that are not the Docker API (the browser UI): no 5xx and no crash, but any error body. */
const NOT_DOCKER_API = /^(\/v[^/]*)?\/ui(\/|$|\?)/;

/** The oracle for one answer to a bad request; returns what is wrong, or undefined. */
export function judge(sent: Sent, a: Answer): string | undefined {
  if (a.upgraded) return undefined;
  if (a.status >= 500 && a.status !== NOT_IMPLEMENTED) return `answered ${a.status}: ${a.body.toString().slice(0, 300)}`;
  if (a.status < 400 || sent.method === 'HEAD' || NOT_DOCKER_API.test(sent.path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.body.toString());
  } catch {
    return `answered ${a.status} with a body that is not JSON: ${JSON.stringify(a.body.toString().slice(0, 200))}`;
  }
  if (typeof (parsed as { message?: unknown })?.message !== 'string') return `answered ${a.status} without {"message": string}: ${a.body.toString().slice(0, 200)}`;
  if (!String(a.headers['content-type']).startsWith('application/json')) return `answered ${a.status} with Content-Type ${a.headers['content-type']}`;
  return undefined;
}

/** Uncaught errors anywhere in this process while a suite runs (a crash of a real daemon). */
export function crashWatch() {
  const crashes: unknown[] = [];
  const record = (e: unknown) => crashes.push(e);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  return {
    crashes,
    stop() {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    },
  };
}

/** A compact line naming a request, for failure reports. */
export function describeSent(s: Sent): string {
  const body = s.body ? ` body(${s.body.length})=${JSON.stringify(s.body.subarray(0, 120).toString('latin1'))}` : '';
  const headers = s.headers ? ` headers=${JSON.stringify(Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v])))}` : '';
  return `${s.method} ${s.path.length > 200 ? `${s.path.slice(0, 200)}…(${s.path.length})` : s.path}${headers}${body}${s.chunked ? ' chunked' : ''}`;
}

/**
 * Runs a property with the suite's seed and reports a failure briefly (the request, the reason,
 * the seed and path to replay it), not as fast-check's full dump of a megabyte header. No
 * shrinking: the daemon is stateful, so a shrunk replay would not be the request that failed.
 */
export async function runFuzz<T>(name: string, arb: import('fast-check').Arbitrary<T>, check: (value: T) => Promise<void>, numRuns: number, show: (value: T) => string): Promise<{ ms: number }> {
  const fc = (await import('fast-check')).default;
  const started = performance.now();
  // FUZZ_TRACE=file: every case is appended before it is sent (to find a request that hangs).
  const trace = process.env.FUZZ_TRACE;
  const traced = trace ? async (v: T) => (appendFileSync(trace, `${name}: ${show(v)}\n`), check(v)) : check;
  const out = await fc.check(fc.asyncProperty(arb, traced), { numRuns, seed: SEED, endOnFailure: true, maxSkipsPerRun: 0 });
  const ms = performance.now() - started;
  if (out.failed) {
    const err = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
    const example = out.counterexample ? show(out.counterexample[0] as T) : '?';
    throw new Error(`${name}: failed after ${out.numRuns} runs (seed ${out.seed}, path "${out.counterexamplePath}")\n${err.slice(0, 2000)}\n  request: ${example}`);
  }
  return { ms };
}
