import { dockerStatus } from '../../machines/container';
import { matchLabels, type Filters } from '../filters';
import type { Daemon } from '../daemon/daemon';
import { parseUntil } from '../images/filters';

export const PRUNE_FILTERS = ['until', 'label', 'label!'] as const;

/** `POST /containers/prune`: removes every stopped container (created, exited, dead) the filters select. */
export async function pruneContainers(daemon: Daemon, f: Filters, now: Date = new Date()): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
  const until = f.get('until')?.map((v) => parseUntil(v, now).getTime());
  const notLabels = f.get('label!');
  const chosen = daemon.containers().filter((ref) => {
    const snap = ref.getSnapshot();
    const ctx = snap.context;
    return (
      ['created', 'exited', 'dead'].includes(dockerStatus(snap)) &&
      (!until || until.every((t) => Date.parse(ctx.created) <= t)) &&
      matchLabels(ctx.config.Labels, f.get('label')) &&
      (!notLabels?.length || !notLabels.some((l) => matchLabels(ctx.config.Labels, [l])))
    );
  });
  const replies = await Promise.all(chosen.map(async (ref) => ({ id: ref.id, reply: await daemon.ask(ref, { type: 'REMOVE', force: false }) })));
  return { ContainersDeleted: replies.filter((r) => r.reply.outcome === 'noContent').map((r) => r.id), SpaceReclaimed: 0 };
}
