import { z } from 'zod';
import type { ProcessChannel } from '../../daemon/agent/process-channel';
import type { AgentLink } from '../../daemon/agent/link';
import type { ContainerRef } from '../../daemon/daemon';
import type { ExecConfig, ExecRecord } from '../../daemon/exec-store';
import { readBody } from '../body';
import { checked } from '../../errdefs/checked';
import type { AppEnv } from '../env';
import type { Context } from 'hono';
import { invalidParameter, conflict, notFound } from '../../errdefs';
import { findContainer, type ContainerLookup } from '../find-container';
import { MULTIPLEXED, RAW } from '../frames';
import { readUpgradeBody, takeOver } from '../hijack';
import { int } from '../query';
import { routeTable, type Route } from './route-table';
import { bodySink, socketSink } from './containers/sinks';

const createSchema = z.object({
  Cmd: z.array(z.string()).min(1, 'No exec command specified'),
  Env: z.array(z.string()).nullish(),
  WorkingDir: z.string().nullish(),
  User: z.string().nullish(),
  Privileged: z.boolean().nullish(),
  Tty: z.boolean().nullish(),
  AttachStdin: z.boolean().nullish(),
  AttachStdout: z.boolean().nullish(),
  AttachStderr: z.boolean().nullish(),
  DetachKeys: z.string().nullish(),
});

/** How long docker-py gets to read the 101 before the exec's output can come (see exec start). */
const DOCKER_PY_HEAD_MS = 250;

const startSchema = z.object({ Detach: z.boolean().nullish(), Tty: z.boolean().nullish() }).loose();

/** Docker's exec inspect. */
function inspectExec(r: ExecRecord) {
  const exit = r.channel?.exit;
  const [entrypoint, ...args] = r.config.Cmd;
  return {
    ID: r.id,
    ContainerID: r.containerId,
    Running: !!r.channel && !exit,
    ExitCode: exit ? exit.code : null,
    Pid: r.channel?.pid ?? 0,
    OpenStdin: r.config.AttachStdin,
    OpenStdout: r.config.AttachStdout,
    OpenStderr: r.config.AttachStderr,
    CanRemove: false,
    DetachKeys: r.config.DetachKeys,
    ProcessConfig: { entrypoint, arguments: args, privileged: r.config.Privileged, tty: r.config.Tty, user: r.config.User },
  };
}

/** What the exec routes ask of the daemon (moby's `router/container` execBackend). */
export interface ExecBackend extends ContainerLookup<ContainerRef> {
  /** The connected agent of a running container, waited for; Docker's 409 saying why there is none. */
  agentLink(ref: ContainerRef, what: string, signal?: AbortSignal): Promise<AgentLink>;
  execCreate(containerId: string, config: ExecConfig): ExecRecord;
  execGet(id: string): ExecRecord | undefined;
  /** Resizes a running exec's terminal. */
  execResize(record: ExecRecord, width: number, height: number): void;
}

type ExecContext = Context<AppEnv>;

function execOf(c: ExecContext, backend: ExecBackend): ExecRecord {
  const id = c.req.param('id')!;
  const r = backend.execGet(id);
  if (!r) throw notFound(`No such exec instance: ${id}`);
  return r;
}

/** `POST /containers/{id}/exec`: the exec is made once the container's agent is there. */
export async function postContainerExecCreate(c: ExecContext, backend: ExecBackend) {
  const ref = findContainer(backend, c.req.param('id')!);
  const body = await readBody(c, createSchema);
  await backend.agentLink(ref, 'exec', c.req.raw.signal);
  const r = backend.execCreate(ref.id, {
    Cmd: body.Cmd, Env: body.Env ?? [], WorkingDir: body.WorkingDir ?? '', User: body.User ?? '', Privileged: body.Privileged ?? false,
    Tty: body.Tty ?? false, AttachStdin: body.AttachStdin ?? false, AttachStdout: body.AttachStdout ?? true,
    AttachStderr: body.AttachStderr ?? true, DetachKeys: body.DetachKeys ?? '',
  });
  return c.json({ Id: r.id }, 201);
}

export function getExecByID(c: ExecContext, backend: ExecBackend) {
  return c.json(inspectExec(execOf(c, backend)));
}

export function postContainerExecResize(c: ExecContext, backend: ExecBackend) {
  const r = execOf(c, backend);
  const h = int(c.req.query('h'), 'h') ?? 0;
  const w = int(c.req.query('w'), 'w') ?? 0;
  backend.execResize(r, w, h);
  return c.body(null, 200);
}

/** `POST /exec/{id}/start`: detached, as the response body (no upgrade), or on the hijacked socket. */
export async function postContainerExecStart(c: ExecContext, backend: ExecBackend) {
  const r = execOf(c, backend);
  const hijack = c.env.hijack;
  const raw = hijack ? await readUpgradeBody(hijack, Number(c.req.header('content-length') ?? 0)) : undefined;
  const text = raw ? raw.toString('utf8') : await c.req.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw invalidParameter('exec start: the body is not JSON');
  }
  const body = checked(startSchema, json);
  if (r.channel) throw conflict(`exec ${r.id} has already been started`);
  const ref = backend.find(r.containerId);
  if (!ref || ref === 'ambiguous') throw conflict(`Container ${r.containerId} is not running`);
  const link = await backend.agentLink(ref, 'exec', c.req.raw.signal);
  const tty = body.Tty ?? r.config.Tty;
  const start = (): ProcessChannel =>
    (r.channel = link.exec({
      argv: r.config.Cmd, env: r.config.Env, workdir: r.config.WorkingDir, tty, stdin: r.config.AttachStdin && !body.Detach,
      ...(r.config.User && { user: r.config.User }),
    }));
  if (body.Detach) {
    start();
    return c.body(null, 200);
  }
  const choice = { stdout: r.config.AttachStdout, stderr: r.config.AttachStderr, tty };
  const contentType = tty ? RAW : MULTIPLEXED;
  if (!hijack) {
    const channel = start();
    const out = bodySink(choice, (s) => channel.drained(s), () => channel.removeSink(out.sink));
    channel.addSink(out.sink);
    return c.body(out.body, 200, { 'Content-Type': contentType });
  }
  // As dockerd: the 101 goes out before the process starts. docker-py reads the answer's head
  // through a buffered reader, then reads the raw socket: output that reached it together with
  // the head is lost. dockerd's process start (runc) leaves a gap; the agent's is quicker, so
  // for docker-py the process starts a little later, enough for a loaded machine to read the head.
  const socket = takeOver(hijack, contentType);
  if (/^docker-sdk-python\//.test(c.req.header('user-agent') ?? '')) await new Promise((r) => setTimeout(r, DOCKER_PY_HEAD_MS));
  if (!link.connected) {
    socket.destroy();
    return new Response(null);
  }
  const channel = start();
  const sink = socketSink(socket, choice, (s) => channel.drained(s));
  channel.addSink(sink);
  socket.on('close', () => channel.removeSink(sink));
  if (r.config.AttachStdin) {
    socket.on('data', (chunk: Buffer) => {
      if (channel.writeStdin(chunk)) return;
      socket.pause();
      void channel.room().then(() => socket.resume());
    });
    // docker exec -i: the client's EOF is the process's EOF; its output keeps flowing.
    socket.on('end', () => channel.endStdin());
  } else {
    socket.on('data', () => {});
  }
  socket.resume();
  return new Response(null);
}

/** The exec endpoints, one line each (moby's router/container/container.go exec routes). */
export const EXEC_ROUTES: readonly Route<ExecBackend>[] = [
  ['POST', '/containers/:id/exec', postContainerExecCreate],
  ['GET', '/exec/:id/json', getExecByID],
  ['POST', '/exec/:id/resize', postContainerExecResize],
  ['POST', '/exec/:id/start', postContainerExecStart],
];

export const execRouter = (backend: ExecBackend) => routeTable(EXEC_ROUTES, backend);
