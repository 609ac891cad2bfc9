import type { AgentLink } from '../../../daemon/agent/link';
import type { ContainerRef, Daemon } from '../../../daemon/daemon';
import { conflict } from '../../errors';

/**
 * The agent connection of a running container, or a 409 that says why there is none: exec,
 * attach stdin and `docker cp` reach the container only through it, and never fake an answer.
 */
export function connectedLink(daemon: Daemon, ref: ContainerRef, what: string): AgentLink {
  const snap = ref.getSnapshot();
  const id = snap.context.id;
  if (!snap.matches('running')) throw conflict(`Container ${id} is not running`);
  const link = daemon.agents.link(id);
  if (link?.connected) return link;
  const why = !link
    ? 'it runs without one (the daemon has no agent configured or no callback URL for it)'
    : link.contacted
      ? 'its connection dropped and it has not reconnected yet'
      : 'the agent has not dialled the daemon (yet); check that SOCKERLESS_CALLBACK_URL is reachable from the job';
  throw conflict(`${what} needs the in-job agent, and none is connected to container ${id.slice(0, 12)}: ${why}`);
}
