import type { Hono } from 'hono';
import type { Cloud } from '../../../aca/cloud';
import { DaemonContainers } from '../../../daemon/containers-backend';
import type { Daemon } from '../../../daemon/daemon';
import type { AppEnv } from '../../env';
import { routeTable, type Route } from '../route-table';
import { headContainersArchive, getContainersArchive, putContainersArchive } from './archive';
import { postContainersAttach } from './attach';
import { postContainersCreate } from './create-route';
import type { ContainerRoutes } from './deps';
import {
  deleteContainers,
  getContainersChanges,
  getContainersExport,
  postContainerRename,
  postContainersKill,
  postContainersPause,
  postContainersPrune,
  postContainersResize,
  postContainersRestart,
  postContainersStart,
  postContainersStop,
  postContainersUnpause,
  postContainersWait,
  postContainerUpdate,
} from './lifecycle';
import { getContainersLogs } from './logs';
import { getContainersByName, getContainersJSON } from './read';
import { getContainersStats, getContainersTop } from './usage';

export type { ContainersBackend } from './backend';
export type { ContainerRoutes } from './deps';

/** The Docker containers API, one line per endpoint (moby's api/server/router/container). */
export const CONTAINER_ROUTES: readonly Route<ContainerRoutes>[] = [
  ['POST', '/containers/create', postContainersCreate],
  ['GET', '/containers/json', getContainersJSON],
  ['GET', '/containers/:id/json', getContainersByName],
  ['POST', '/containers/:id/start', postContainersStart],
  ['POST', '/containers/:id/stop', postContainersStop],
  ['POST', '/containers/:id/restart', postContainersRestart],
  ['POST', '/containers/:id/kill', postContainersKill],
  ['POST', '/containers/:id/pause', postContainersPause],
  ['POST', '/containers/:id/unpause', postContainersUnpause],
  ['DELETE', '/containers/:id', deleteContainers],
  ['POST', '/containers/:id/rename', postContainerRename],
  ['POST', '/containers/:id/wait', postContainersWait],
  ['GET', '/containers/:id/logs', getContainersLogs],
  ['POST', '/containers/:id/attach', postContainersAttach],
  ['POST', '/containers/:id/resize', postContainersResize],
  ['GET', '/containers/:id/top', getContainersTop],
  ['GET', '/containers/:id/stats', getContainersStats],
  ['GET', '/containers/:id/changes', getContainersChanges],
  ['GET', '/containers/:id/export', getContainersExport],
  ['HEAD', '/containers/:id/archive', headContainersArchive],
  ['GET', '/containers/:id/archive', getContainersArchive],
  ['PUT', '/containers/:id/archive', putContainersArchive],
  ['POST', '/containers/:id/update', postContainerUpdate],
  ['POST', '/containers/prune', postContainersPrune],
];

/** What the app is given for the containers and exec families: the daemon, and what its backend needs. */
export interface ContainersDeps extends Omit<ContainerRoutes, 'backend'> {
  daemon: Daemon;
  cloud: Cloud;
  pollIntervalMs: number;
  /** How long log following goes on after an execution ends (Log Analytics ingestion delay). */
  logSettleMs: number;
}

/** The daemon's side of the containers and exec families. */
export function containersBackend(deps: ContainersDeps): DaemonContainers {
  return new DaemonContainers(deps.daemon, deps.cloud, { pollIntervalMs: deps.pollIntervalMs, settleMs: deps.logSettleMs });
}

export const containersRouter = (routes: ContainerRoutes): Hono<AppEnv> => routeTable(CONTAINER_ROUTES, routes);
