import { normalizeSignal, type WaitCondition } from '../../../../machines/container';
import { PRUNE_FILTERS } from '../../../container-resources/prune';
import { checkName } from '../../../daemon/names';
import { updateFields } from '../../../container-resources/update';
import { conflict, invalidParameter, notImplemented } from '../../../errdefs';
import { bool, filters, int } from '../../query';
import { answer, containerOf, refused, type ContainerRoutes, type ContainersContext } from './deps';
import { checkResources } from './host-config';

const waitConditions: readonly WaitCondition[] = ['not-running', 'next-exit', 'removed'];

/** Seconds a stop or restart gives the process (`t`, or `timeout` as docker-py sends it). */
const grace = (c: ContainersContext) => int(c.req.query('t') ?? c.req.query('timeout'), 't');

export async function postContainersStart(c: ContainersContext, d: ContainerRoutes) {
  return answer(c, await d.backend.ask(containerOf(c, d), { type: 'START' }));
}

export async function postContainersStop(c: ContainersContext, d: ContainerRoutes) {
  const timeout = grace(c);
  return answer(c, await d.backend.ask(containerOf(c, d), { type: 'STOP', timeout }));
}

export async function postContainersRestart(c: ContainersContext, d: ContainerRoutes) {
  const timeout = grace(c);
  return answer(c, await d.backend.ask(containerOf(c, d), { type: 'RESTART', timeout }));
}

export async function postContainersKill(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const given = c.req.query('signal') || 'SIGKILL';
  const signal = normalizeSignal(given);
  if (!signal) throw invalidParameter(`Invalid signal: ${given}`);
  return answer(c, await d.backend.ask(ref, { type: 'KILL', signal }));
}

export async function postContainersPause(c: ContainersContext, d: ContainerRoutes) {
  return answer(c, await d.backend.ask(containerOf(c, d), { type: 'PAUSE' }));
}

export async function postContainersUnpause(c: ContainersContext, d: ContainerRoutes) {
  return answer(c, await d.backend.ask(containerOf(c, d), { type: 'UNPAUSE' }));
}

export async function deleteContainers(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const removeVolumes = bool(c.req.query('v'));
  bool(c.req.query('link'));
  d.resources.removeVolumesWith(ref.id, removeVolumes);
  const reply = await d.backend.ask(ref, { type: 'REMOVE', force: bool(c.req.query('force')) });
  if (refused(reply)) d.resources.removeVolumesWith(ref.id, false);
  return answer(c, reply);
}

export async function postContainerRename(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const requested = c.req.query('name') ?? '';
  const name = checkName(requested);
  if (!name) throw invalidParameter(`Invalid container name (${requested}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  return answer(c, await d.backend.rename(ref.id, name));
}

/** The 200 headers go out at once; the body when the condition holds (the CLI deadlocks otherwise). */
export function postContainersWait(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const condition = (c.req.query('condition') || 'not-running') as WaitCondition;
  if (!waitConditions.includes(condition)) throw invalidParameter(`invalid condition: ${condition}`);
  const abort = new AbortController();
  c.env.outgoing?.once('close', () => abort.abort());
  const reply = d.backend.ask(ref, { type: 'WAIT', condition }, { signal: abort.signal });
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const r = await reply;
      await d.backend.outputDrained(ref, 5_000);
      controller.enqueue(Buffer.from(JSON.stringify(r.body) + '\n'));
      controller.close();
    },
    cancel: () => abort.abort(),
  });
  return c.body(body, 200, { 'Content-Type': 'application/json' });
}

/** The agent's terminal takes the size; one given before the agent dialled is sent when it does. */
export function postContainersResize(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const h = int(c.req.query('h'), 'h') ?? 0;
  const w = int(c.req.query('w'), 'w') ?? 0;
  if (!ref.getSnapshot().matches('running')) throw conflict(`Container ${ref.id} is not running`);
  d.backend.resize(ref.id, w, h);
  return c.body(null, 200);
}

export async function postContainerUpdate(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const current = ref.getSnapshot().context.hostConfig;
  const update = updateFields(await c.req.json().catch(() => ({})), current.AutoRemove);
  const warnings = d.hostConfig && update.resources ? checkResources({ ...current, ...update.hostConfig }, d.hostConfig.defaults, d.hostConfig.limits).warnings : [];
  return answer(c, await d.backend.ask(ref, { type: 'UPDATE', ...update, warnings }));
}

export async function postContainersPrune(c: ContainersContext, d: ContainerRoutes) {
  return c.json(await d.backend.prune(filters(c.req.query('filters'), PRUNE_FILTERS)));
}

/** An endpoint ACA has nothing behind: the container is looked up (404 first), then 501 saying why. */
const unsupported = (what: string, why: string) =>
  function notOnAca(c: ContainersContext, d: ContainerRoutes): never {
    containerOf(c, d);
    throw notImplemented(`${what} is not supported: ${why}`);
  };

export const getContainersChanges = unsupported('changes', "Azure Container Apps gives no access to a replica's filesystem layers, so there is no diff to show");
export const getContainersExport = unsupported('export', "Azure Container Apps gives no access to a replica's filesystem; copy files out with docker cp through the agent");
