import type { Context } from 'hono';
import type { Reply } from '../../../../machines/container';
import type { ContainerResourcesApi, NetworkView } from '../../../container-resources';
import type { ContainerRef, ContainerSnapshot } from '../../../daemon/daemon';
import type { ImageRecord } from '../../../images/types';
import { DockerError, type ErrorKind } from '../../../errdefs';
import type { AppEnv } from '../../env';
import { statusOfOutcome } from '../../errors';
import { findContainer } from '../../find-container';
import { dockerStatus } from '../../../../machines/container';
import { portMap } from '../../../daemon/ports/view';
import type { ContainersBackend } from './backend';
import type { HostConfigDeps } from './host-config';

/** What every containers handler is given. */
export interface ContainerRoutes {
  backend: ContainersBackend;
  /** `peek`: the stored record, read at once (a create copies what it takes; a list reads ids). */
  images: { peek(ref: string): Readonly<ImageRecord> | undefined };
  /** Networks and volumes: endpoints and mounts made at create, shown in inspect, released at removal. */
  resources: ContainerResourcesApi;
  /** ACA resources, secrets and registry credentials; without them HostConfig is only stored. */
  hostConfig?: HostConfigDeps;
}

export type ContainersContext = Context<AppEnv>;

/** The container the path's `{id}` names: Docker's 404, or 400 for an ambiguous prefix. */
export const containerOf = (c: ContainersContext, d: ContainerRoutes): ContainerRef => findContainer(d.backend, c.req.param('id')!);

/** Renders the chart's answer to a request. */
export function answer(c: ContainersContext, reply: Reply) {
  const status = statusOfOutcome(reply.outcome);
  if (status === 204 || status === 304) return c.body(null, status);
  if (status >= 400) throw new DockerError(reply.outcome as ErrorKind, (reply.body as { message: string }).message);
  return c.json(reply.body ?? {}, status);
}

/** Whether the chart refused the request (an error kind, or not modified). */
export const refused = (reply: Reply): boolean => statusOfOutcome(reply.outcome) >= 300;

/** Networks and mounts, with the published ports of a running container as dockerd shows them. */
export function networkView(d: ContainerRoutes, snap: ContainerSnapshot): NetworkView {
  const view = d.resources.view(snap.context.id);
  const running = dockerStatus(snap) === 'running';
  view.NetworkSettings.Ports = portMap(running, snap.context.config.ExposedPorts, d.backend.publishedPorts(snap.context.id));
  return view;
}
