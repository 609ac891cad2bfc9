import { dockerStatus } from '../../../../machines/container';
import { portList } from '../../../daemon/ports/view';
import { invalidParameter } from '../../../errdefs';
import { bool, filters, int, matchLabels } from '../../query';
import { inspectContainer, listItem } from '../../render/container';
import { jsonArrayBytes } from '../../render/json-array';
import { containerOf, networkView, type ContainerRoutes, type ContainersContext } from './deps';
import { checkResources } from './host-config';

/** moby's `health` filter values (`none`: no health check). */
const HEALTH_FILTER_VALUES = ['starting', 'healthy', 'unhealthy', 'none'];

/** `GET /containers/json` (`docker ps`). */
export function getContainersJSON(c: ContainersContext, d: ContainerRoutes) {
  const all = bool(c.req.query('all'));
  const limit = int(c.req.query('limit'), 'limit');
  const f = filters(c.req.query('filters'), ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'health']);
  for (const h of f.get('health') ?? []) if (!HEALTH_FILTER_VALUES.includes(h)) throw invalidParameter(`Unrecognised filter value for health: ${h}`);
  let items = d.backend
    .containers()
    .map((r) => {
      const snap = r.getSnapshot();
      return { snap, status: dockerStatus(snap) };
    })
    .filter(({ snap, status }) => {
      const ctx = snap.context;
      // Docker: a positive limit lists stopped containers too; `limit <= 0` (docker-py sends -1) is no limit.
      if (!all && !f.has('status') && status !== 'running' && !(limit !== undefined && limit > 0)) return false;
      if (f.get('status') && !f.get('status')!.includes(status)) return false;
      if (f.get('id') && !f.get('id')!.some((id) => ctx.id.startsWith(id))) return false;
      if (f.get('name') && !f.get('name')!.some((n) => ctx.name.slice(1).includes(n.replace(/^\//, '')))) return false;
      if (f.get('health') && !f.get('health')!.includes(ctx.health?.Status ?? 'none')) return false;
      if (f.get('exited') && !(status === 'exited' && f.get('exited')!.includes(String(ctx.exitCode)))) return false;
      if (f.get('ancestor') && !f.get('ancestor')!.some((a) => a === ctx.config.Image || d.images.peek(a)?.Id === ctx.imageId)) return false;
      return matchLabels(ctx.config.Labels, f.get('label'));
    })
    // Newest first. `created` is always the same ISO 8601 form, so plain comparison orders it (localeCompare is far slower).
    .sort((a, b) => (a.snap.context.created < b.snap.context.created ? 1 : a.snap.context.created > b.snap.context.created ? -1 : 0));
  if (limit !== undefined && limit > 0) items = items.slice(0, limit);
  const body = jsonArrayBytes(items, ({ snap, status }) =>
    listItem(snap, networkView(d, snap), status, portList(status === 'running', snap.context.config.ExposedPorts, d.backend.publishedPorts(snap.context.id))),
  );
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

/** `GET /containers/{id}/json` (`docker inspect`). */
export function getContainersByName(c: ContainersContext, d: ContainerRoutes) {
  const snap = containerOf(c, d).getSnapshot();
  const hc = d.hostConfig;
  const aca = hc && { env: (env: string[]) => hc.secretEnv.mask(env), resources: checkResources(snap.context.hostConfig, hc.defaults, hc.limits).pair };
  const body = inspectContainer(snap, networkView(d, snap), aca);
  // What the process sees: Docker's hostname unless the replica kept its own (ACA does not let the agent set it).
  const seen = d.backend.seenHostname(snap.context.id);
  return c.json(seen ? { ...body, Config: { ...body.Config, Hostname: seen } } : body);
}
