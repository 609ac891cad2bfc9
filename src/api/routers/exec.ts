import { Hono } from 'hono';
import { z } from 'zod';
import type { ProcessChannel } from '../../daemon/agent/process-channel';
import type { ContainerRef, Daemon } from '../../daemon/daemon';
import type { ExecRecord } from '../../daemon/exec-store';
import { readBody } from '../body';
import { checked } from '../../errdefs/checked';
import type { AppEnv } from '../env';
import { invalidParameter, conflict, notFound } from '../../errdefs';
import { findContainer } from '../find-container';
import { MULTIPLEXED, RAW } from '../frames';
import { readUpgradeBody, takeOver } from '../hijack';
import { int } from '../query';
import { connectedLink } from '../../daemon/agent/connected-link';
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

/** `/containers/{id}/exec` and `/exec/{id}/…`: processes started in a running container through its agent. */
export function execRouter(deps: { daemon: Daemon }): Hono<AppEnv> {
  const { daemon } = deps;
  const app = new Hono<AppEnv>();
  const find = (ref: string): ContainerRef => findContainer(daemon, ref);
  const record = (id: string) => {
    const r = daemon.execs.get(id);
    if (!r) throw notFound(`No such exec instance: ${id}`);
    return r;
  };

  app.post('/containers/:id/exec', async (c) => {
    const ref = find(c.req.param('id'));
    const body = await readBody(c, createSchema);
    await connectedLink(daemon, ref, 'exec', c.req.raw.signal);
    const r = daemon.execs.create(ref.id, {
      Cmd: body.Cmd, Env: body.Env ?? [], WorkingDir: body.WorkingDir ?? '', User: body.User ?? '', Privileged: body.Privileged ?? false,
      Tty: body.Tty ?? false, AttachStdin: body.AttachStdin ?? false, AttachStdout: body.AttachStdout ?? true,
      AttachStderr: body.AttachStderr ?? true, DetachKeys: body.DetachKeys ?? '',
    });
    return c.json({ Id: r.id }, 201);
  });

  app.get('/exec/:id/json', (c) => c.json(inspectExec(record(c.req.param('id')))));

  app.post('/exec/:id/resize', (c) => {
    const r = record(c.req.param('id'));
    const h = int(c.req.query('h'), 'h') ?? 0;
    const w = int(c.req.query('w'), 'w') ?? 0;
    if (r.channel && !r.channel.exit) daemon.agents.link(r.containerId)?.resize(r.channel.s, w, h);
    return c.body(null, 200);
  });

  app.post('/exec/:id/start', async (c) => {
    const r = record(c.req.param('id'));
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
    const ref = daemon.find(r.containerId);
    if (!ref || ref === 'ambiguous') throw conflict(`Container ${r.containerId} is not running`);
    const link = await connectedLink(daemon, ref, 'exec', c.req.raw.signal);
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
  });

  return app;
}
