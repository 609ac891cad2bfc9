import type { Context } from 'hono';
import { Hono } from 'hono';
import { dockerStatus, normalizeSignal, type Reply, type WaitCondition } from '../../../../machines/container';
import type { Cloud, LogRow } from '../../../aca/cloud';
import type { ContainerRef, ContainerSnapshot, Daemon } from '../../../daemon/daemon';
import { portList, portMap } from '../../../daemon/ports/view';
import { containerLogs } from '../../../daemon/container-logs';
import { checkName, generateName } from '../../../daemon/names';
import type { ImageRecord } from '../../../images/types';
import type { ContainerResourcesApi, NetworkView } from '../../../container-resources';
import { pruneContainers, PRUNE_FILTERS } from '../../../container-resources/prune';
import { updateFields } from '../../../container-resources/update';
import type { AppEnv } from '../../env';
import { invalidParameter, conflict, DockerError, notFound, notImplemented } from '../../../errdefs';
import { readBody } from '../../body';
import { kindOfStatus } from '../../errors';
import { findContainer } from '../../find-container';
import { MULTIPLEXED, RAW } from '../../frames';
import { bool, filters, int, matchLabels } from '../../query';
import { checkLabels } from '../../validate';
import { inspectContainer, listItem } from '../../render/container';
import { jsonArrayBytes } from '../../render/json-array';
import { decodeRegistryAuth } from '../../../images/credentials';
import { createBody } from './create-body';
import { containerInput } from './create';
import { checkCreate, checkResources, type HostConfigDeps } from './host-config';
import { refusedEnvMessage } from '../../../daemon/env-names';
import { archiveRoutes } from './archive';
import { usageRoutes } from './usage';
import { attachRoute } from './attach';
import { MAIN_SESSION } from '../../../agent/protocol';
import { rowStream } from './streams';

export interface ContainersDeps {
  daemon: Daemon;
  cloud: Cloud;
  /** `peek`: the stored record, read at once (a create copies what it takes; a list reads ids). */
  images: { peek(ref: string): Readonly<ImageRecord> | undefined };
  pollIntervalMs: number;
  /** How long log following goes on after an execution ends (Log Analytics ingestion delay). */
  logSettleMs: number;
  /** Networks and volumes: endpoints and mounts made at create, shown in inspect, released at removal. */
  resources: ContainerResourcesApi;
  /** ACA resources, secrets and registry credentials; without them HostConfig is only stored. */
  hostConfig?: HostConfigDeps;
}

const waitConditions: readonly WaitCondition[] = ['not-running', 'next-exit', 'removed'];

/** Renders the chart's answer to a request. */
function answer(c: Context, reply: Reply) {
  if (reply.status === 204 || reply.status === 304) return c.body(null, reply.status);
  if (reply.status >= 400) throw new DockerError(kindOfStatus(reply.status), (reply.body as { message: string }).message);
  return c.json(reply.body ?? {}, reply.status as 200);
}

/** Seconds since the epoch (possibly fractional) or an RFC 3339 time, as `since`/`until` allow. */
function time(value: string | undefined, name: string): Date | undefined {
  if (!value || value === '0') return undefined;
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidParameter(`invalid value for ${name}: ${value}`);
  return date;
}

const PORTS_WITHOUT_AGENT =
  'published ports are carried by the in-job agent, and containers started now get none (SOCKERLESS_AGENT=off, or no callback address): the ports will not be published';

/** moby's `health` filter values (`none`: no health check). */
const HEALTH_FILTER_VALUES = ['starting', 'healthy', 'unhealthy', 'none'];

export function containersRouter(deps: ContainersDeps): Hono<AppEnv> {
  const { daemon, cloud } = deps;
  const app = new Hono<AppEnv>();

  const find = (ref: string): ContainerRef => findContainer(daemon, ref);
  /** Networks and mounts, with the published ports of a running container as dockerd shows them. */
  const viewOf = (snap: ContainerSnapshot): NetworkView => {
    const view = deps.resources.view(snap.context.id);
    const running = dockerStatus(snap) === 'running';
    view.NetworkSettings.Ports = portMap(running, snap.context.config.ExposedPorts, daemon.ports.of(snap.context.id));
    return view;
  };

  app.post('/containers/create', async (c) => {
    const body = await readBody(c, createBody);
    checkLabels(body.Labels);
    const image = deps.images.peek(body.Image);
    if (!image) throw notFound(`No such image: ${body.Image}`);
    const requested = c.req.query('name');
    const name = requested ? checkName(requested) : generateName(daemon.nameTaken);
    if (!name) throw invalidParameter(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const input = containerInput(body, name, image);
    // Variables ACA refuses can only reach the process through the agent.
    const refusedEnv = deps.hostConfig && !daemon.agentRuns() ? refusedEnvMessage(body.Env ?? []) : undefined;
    if (refusedEnv) throw invalidParameter(refusedEnv);
    const warnings = deps.hostConfig ? checkCreate(input.hostConfig, deps.hostConfig.defaults, deps.hostConfig.limits) : [];
    const registryAuth = decodeRegistryAuth(c.req.header('x-registry-auth'));
    const prepared = deps.resources.prepare(input, body, image.Config.Volumes);
    const ports = daemon.portBindings(input);
    if (ports.error) throw invalidParameter(ports.error);
    warnings.push(...ports.warnings);
    if (ports.bindings.length && !daemon.agentRuns()) warnings.push(PORTS_WITHOUT_AGENT);
    const reply = await daemon.create(input);
    if (reply.status !== 201) return answer(c, reply);
    prepared.commit();
    deps.hostConfig?.registries.rememberForContainer(input.id, registryAuth);
    return c.json({ Id: input.id, Warnings: [...prepared.warnings, ...warnings] }, 201);
  });

  app.get('/containers/json', (c) => {
    const all = bool(c.req.query('all'));
    const limit = int(c.req.query('limit'), 'limit');
    const f = filters(c.req.query('filters'), ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'health']);
    for (const h of f.get('health') ?? []) if (!HEALTH_FILTER_VALUES.includes(h)) throw invalidParameter(`Unrecognised filter value for health: ${h}`);
    let items = daemon
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
        if (f.get('ancestor') && !f.get('ancestor')!.some((a) => a === ctx.config.Image || deps.images.peek(a)?.Id === ctx.imageId)) return false;
        return matchLabels(ctx.config.Labels, f.get('label'));
      })
      // Newest first. `created` is always the same ISO 8601 form, so plain comparison orders it (localeCompare is far slower).
      .sort((a, b) => (a.snap.context.created < b.snap.context.created ? 1 : a.snap.context.created > b.snap.context.created ? -1 : 0));
    if (limit !== undefined && limit > 0) items = items.slice(0, limit);
    const body = jsonArrayBytes(items, ({ snap, status }) => listItem(snap, viewOf(snap), status, portList(status === 'running', snap.context.config.ExposedPorts, daemon.ports.of(snap.context.id))));
    return c.body(body, 200, { 'Content-Type': 'application/json' });
  });

  app.get('/containers/:id/json', (c) => {
    const snap = find(c.req.param('id')).getSnapshot();
    const hc = deps.hostConfig;
    const aca = hc && { env: (env: string[]) => hc.secretEnv.mask(env), resources: checkResources(snap.context.hostConfig, hc.defaults, hc.limits).pair };
    const body = inspectContainer(snap, viewOf(snap), aca);
    // What the process sees: Docker's hostname unless the replica kept its own (ACA does not let the agent set it).
    const seen = daemon.agents.link(snap.context.id)?.hostname;
    return c.json(seen ? { ...body, Config: { ...body.Config, Hostname: seen } } : body);
  });

  app.post('/containers/:id/start', async (c) => answer(c, await daemon.ask(find(c.req.param('id')), { type: 'START' })));

  app.post('/containers/:id/stop', async (c) => {
    const timeout = int(c.req.query('t') ?? c.req.query('timeout'), 't');
    return answer(c, await daemon.ask(find(c.req.param('id')), { type: 'STOP', timeout }));
  });

  app.post('/containers/:id/restart', async (c) => {
    const timeout = int(c.req.query('t') ?? c.req.query('timeout'), 't');
    return answer(c, await daemon.ask(find(c.req.param('id')), { type: 'RESTART', timeout }));
  });

  app.post('/containers/:id/kill', async (c) => {
    const ref = find(c.req.param('id'));
    const given = c.req.query('signal') || 'SIGKILL';
    const signal = normalizeSignal(given);
    if (!signal) throw invalidParameter(`Invalid signal: ${given}`);
    return answer(c, await daemon.ask(ref, { type: 'KILL', signal }));
  });

  app.post('/containers/:id/pause', async (c) => answer(c, await daemon.ask(find(c.req.param('id')), { type: 'PAUSE' })));
  app.post('/containers/:id/unpause', async (c) => answer(c, await daemon.ask(find(c.req.param('id')), { type: 'UNPAUSE' })));

  app.delete('/containers/:id', async (c) => {
    const ref = find(c.req.param('id'));
    const removeVolumes = bool(c.req.query('v'));
    bool(c.req.query('link'));
    deps.resources.removeVolumesWith(ref.id, removeVolumes);
    const reply = await daemon.ask(ref, { type: 'REMOVE', force: bool(c.req.query('force')) });
    if (reply.status >= 300) deps.resources.removeVolumesWith(ref.id, false);
    return answer(c, reply);
  });

  app.post('/containers/:id/rename', async (c) => {
    const ref = find(c.req.param('id'));
    const requested = c.req.query('name') ?? '';
    const name = checkName(requested);
    if (!name) throw invalidParameter(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    return answer(c, await daemon.rename(ref.id, name));
  });

  // The 200 headers go out at once; the body when the condition holds (the CLI deadlocks otherwise).
  app.post('/containers/:id/wait', (c) => {
    const ref = find(c.req.param('id'));
    const condition = (c.req.query('condition') || 'not-running') as WaitCondition;
    if (!waitConditions.includes(condition)) throw invalidParameter(`invalid condition: ${condition}`);
    const abort = new AbortController();
    c.env.outgoing?.once('close', () => abort.abort());
    const reply = daemon.ask(ref, { type: 'WAIT', condition }, { signal: abort.signal });
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const r = await reply;
        await daemon.attachments.drained(ref.getSnapshot().context.execution?.executionName, 5_000);
        controller.enqueue(Buffer.from(JSON.stringify(r.body) + '\n'));
        controller.close();
      },
      cancel: () => abort.abort(),
    });
    return c.body(body, 200, { 'Content-Type': 'application/json' });
  });

  app.get('/containers/:id/logs', async (c) => {
    const ref = find(c.req.param('id'));
    const q = (k: string) => c.req.query(k);
    const choice = { stdout: bool(q('stdout')), stderr: bool(q('stderr')), timestamps: bool(q('timestamps')), tty: ref.getSnapshot().context.config.Tty };
    if (!choice.stdout && !choice.stderr) throw invalidParameter('You must choose at least one stream');
    const tailValue = q('tail');
    const tailNumber = !tailValue || tailValue === 'all' ? undefined : int(tailValue, 'tail');
    // dockerd reads a negative tail (dockerode and Testcontainers send -1) as all lines.
    const tail = tailNumber !== undefined && tailNumber < 0 ? undefined : tailNumber;
    const snap = ref.getSnapshot();
    const contentType = choice.tty ? RAW : MULTIPLEXED;
    if (!snap.context.jobExists && !snap.context.execution) return c.body(null, 200, { 'Content-Type': contentType });
    const abort = new AbortController();
    c.env.outgoing?.once('close', () => abort.abort());
    const rows = containerLogs(cloud, daemon, ref, {
      since: time(q('since'), 'since'),
      until: time(q('until'), 'until'),
      tail,
      follow: bool(q('follow')),
      pollIntervalMs: deps.pollIntervalMs,
      settleMs: deps.logSettleMs,
      signal: abort.signal,
    });
    const first = await rows.next(); // a query error becomes an error answer, not a cut stream
    async function* replay(): AsyncGenerator<LogRow> {
      if (first.done) return;
      yield first.value;
      yield* rows;
    }
    return c.body(rowStream(replay(), choice, abort), 200, { 'Content-Type': contentType });
  });

  attachRoute(app, deps, find);

  // The agent's terminal takes the size; one given before the agent dialled is sent when it does.
  app.post('/containers/:id/resize', (c) => {
    const ref = find(c.req.param('id'));
    const h = int(c.req.query('h'), 'h') ?? 0;
    const w = int(c.req.query('w'), 'w') ?? 0;
    if (!ref.getSnapshot().matches('running')) throw conflict(`Container ${ref.id} is not running`);
    daemon.agents.link(ref.id)?.resize(MAIN_SESSION, w, h);
    return c.body(null, 200);
  });
  usageRoutes(app, daemon, find);
  const unsupported = (what: string, why: string) => async (c: Context<AppEnv>) => {
    find(c.req.param('id')!);
    throw notImplemented(`${what} is not supported: ${why}`);
  };
  app.get('/containers/:id/changes', unsupported('changes', "Azure Container Apps gives no access to a replica's filesystem layers, so there is no diff to show"));
  app.get('/containers/:id/export', unsupported('export', "Azure Container Apps gives no access to a replica's filesystem; copy files out with docker cp through the agent"));
  archiveRoutes(app, daemon, find);
  app.post('/containers/:id/update', async (c) => {
    const ref = find(c.req.param('id'));
    const current = ref.getSnapshot().context.hostConfig;
    const update = updateFields(await c.req.json().catch(() => ({})), current.AutoRemove);
    const warnings = deps.hostConfig && update.resources ? checkResources({ ...current, ...update.hostConfig }, deps.hostConfig.defaults, deps.hostConfig.limits).warnings : [];
    return answer(c, await daemon.ask(ref, { type: 'UPDATE', ...update, warnings }));
  });
  app.post('/containers/prune', async (c) => c.json(await pruneContainers(daemon, filters(c.req.query('filters'), PRUNE_FILTERS))));

  return app;
}
