import { Readable } from 'node:stream';
import type { Hono } from 'hono';
import type { PathStat } from '../../../agent/protocol';
import { ArchiveFailure, type ArchiveCall } from '../../../daemon/agent/archive-call';
import type { AgentLink } from '../../../daemon/agent/link';
import type { ContainerRef, Daemon } from '../../../daemon/daemon';
import type { AppEnv } from '../../env';
import { invalidParameter, DockerError } from '../../../errdefs';
import { bool } from '../../query';
import { connectedLink } from './agent-link';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

const statHeader = (stat: PathStat) => Buffer.from(JSON.stringify(stat)).toString('base64');

/** The agent's refusal as Docker's answer: a missing path is 404, a refused entry 400. */
function failure(err: unknown, path: string, id: string): DockerError {
  if (!(err instanceof ArchiveFailure)) return new DockerError('system', (err as Error).message);
  if (err.kind === 'notFound') return new DockerError('notFound', `Could not find the file ${path} in container ${id}`);
  if (err.kind === 'invalid') return new DockerError('invalidParameter', err.message);
  if (err.kind === 'unavailable') return new DockerError('conflict', `${err.message}; try again`);
  return new DockerError('system', err.message);
}

/**
 * `HEAD`/`GET`/`PUT /containers/{id}/archive` (`docker cp`): the agent stats the path, makes the
 * tar or unpacks it, streamed both ways under flow control; nothing is buffered whole.
 */
export function archiveRoutes(app: Hono<AppEnv>, daemon: Daemon, find: (ref: string) => ContainerRef): void {
  const start = async (id: string, what: 'stat' | 'get' | 'put', path: string, extra?: boolean): Promise<{ link: AgentLink; call: ArchiveCall }> => {
    const link = await connectedLink(daemon, find(id), 'docker cp');
    const call = what === 'put' ? link.archive({ t: 'put', path, noOverwriteDirNonDir: !!extra }) : link.archive({ t: what, path });
    return { link, call };
  };
  const pathOf = (value: string | undefined) => {
    if (!value) throw invalidParameter('path is required');
    return value;
  };

  app.on('HEAD', '/containers/:id/archive', async (c) => {
    const path = pathOf(c.req.query('path'));
    const { call } = await start(c.req.param('id'), 'stat', path);
    const stat = await call.stat.catch((err) => {
      throw failure(err, path, c.req.param('id'));
    });
    return c.body(null, 200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
  });

  app.get('/containers/:id/archive', async (c) => {
    const path = pathOf(c.req.query('path'));
    const { link, call } = await start(c.req.param('id'), 'get', path);
    const stat = await call.stat.catch((err) => {
      throw failure(err, path, c.req.param('id'));
    });
    c.env.outgoing?.once('close', () => link.cancel(call));
    return c.body(Readable.toWeb(call.body) as ReadableStream<Uint8Array>, 200, {
      [STAT_HEADER]: statHeader(stat),
      'Content-Type': 'application/x-tar',
    });
  });

  app.put('/containers/:id/archive', async (c) => {
    const path = pathOf(c.req.query('path'));
    const { link, call } = await start(c.req.param('id'), 'put', path, bool(c.req.query('noOverwriteDirNonDir')));
    const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as import('node:stream/web').ReadableStream) : Readable.from([]);
    try {
      await Promise.all([call.send(body), call.done]);
    } catch (err) {
      link.cancel(call);
      body.destroy();
      throw failure(err, path, c.req.param('id'));
    }
    return c.body(null, 200);
  });
}
