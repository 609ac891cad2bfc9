import { Readable } from 'node:stream';
import type { PathStat } from '../../../agent/protocol';
import { ArchiveFailure, type ArchiveCall } from '../../../daemon/agent/archive-call';
import type { AgentLink } from '../../../daemon/agent/link';
import { invalidParameter, DockerError } from '../../../errdefs';
import { bool } from '../../query';
import { containerOf, type ContainerRoutes, type ContainersContext } from './deps';

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
async function archiveCall(c: ContainersContext, d: ContainerRoutes, what: 'stat' | 'get' | 'put', path: string, extra?: boolean): Promise<{ link: AgentLink; call: ArchiveCall }> {
  const link = await d.backend.agentLink(containerOf(c, d), 'docker cp');
  const call = what === 'put' ? link.archive({ t: 'put', path, noOverwriteDirNonDir: !!extra }) : link.archive({ t: what, path });
  return { link, call };
}

function pathOf(value: string | undefined): string {
  if (!value) throw invalidParameter('path is required');
  return value;
}

export async function headContainersArchive(c: ContainersContext, d: ContainerRoutes) {
  const path = pathOf(c.req.query('path'));
  const { call } = await archiveCall(c, d, 'stat', path);
  const stat = await call.stat.catch((err) => {
    throw failure(err, path, c.req.param('id')!);
  });
  return c.body(null, 200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
}

export async function getContainersArchive(c: ContainersContext, d: ContainerRoutes) {
  const path = pathOf(c.req.query('path'));
  const { link, call } = await archiveCall(c, d, 'get', path);
  const stat = await call.stat.catch((err) => {
    throw failure(err, path, c.req.param('id')!);
  });
  c.env.outgoing?.once('close', () => link.cancel(call));
  return c.body(Readable.toWeb(call.body) as ReadableStream<Uint8Array>, 200, {
    [STAT_HEADER]: statHeader(stat),
    'Content-Type': 'application/x-tar',
  });
}

export async function putContainersArchive(c: ContainersContext, d: ContainerRoutes) {
  const path = pathOf(c.req.query('path'));
  const { link, call } = await archiveCall(c, d, 'put', path, bool(c.req.query('noOverwriteDirNonDir')));
  const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as import('node:stream/web').ReadableStream) : Readable.from([]);
  try {
    await Promise.all([call.send(body), call.done]);
  } catch (err) {
    link.cancel(call);
    body.destroy();
    throw failure(err, path, c.req.param('id')!);
  }
  return c.body(null, 200);
}
