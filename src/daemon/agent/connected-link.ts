import { conflict } from '../../errdefs';
import type { ContainerRef, Daemon } from '../daemon';
import type { AgentLink } from './link';

/**
 * The agent connection of a running container. Docker's exec and cp work as soon as start has
 * returned, while the agent may still be on its way (a replica starts its process before the agent
 * has dialled, and on Azure the replica itself takes a while), so a running container whose start
 * expects an agent is waited for, at most the agent wait setting. A 409 then says why there is
 * none and what to do: exec, attach stdin and `docker cp` reach the container only through it.
 */
export async function connectedLink(daemon: Daemon, ref: ContainerRef, what: string, signal?: AbortSignal): Promise<AgentLink> {
  const id = ref.getSnapshot().context.id;
  const running = () => {
    if (!ref.getSnapshot().matches('running')) throw conflict(`Container ${id} is not running`);
  };
  running();
  let link = daemon.agents.link(id);
  if (link?.connected) return link;
  if (link && !link.closed) {
    const bound = AbortSignal.timeout(daemon.agents.waitMs);
    await link.until(true, signal ? AbortSignal.any([bound, signal]) : bound);
    running();
    link = daemon.agents.link(id);
    if (link?.connected) return link;
  }
  const why = !link
    ? 'it runs without one: the daemon has no agent configured (SOCKERLESS_AGENT, SOCKERLESS_AGENT_IMAGE on Azure) or no callback URL for it (SOCKERLESS_CALLBACK_URL); set them and start the container again'
    : link.contacted
      ? `its connection dropped and it did not reconnect within ${daemon.agents.waitMs / 1000}s; check that the job can still reach SOCKERLESS_CALLBACK_URL, or restart the container`
      : `the agent did not dial the daemon within ${daemon.agents.waitMs / 1000}s (SOCKERLESS_AGENT_WAIT_MS); check that SOCKERLESS_CALLBACK_URL is reachable from the job, and the container's logs`;
  throw conflict(`${what} needs the in-job agent, and none is connected to container ${id.slice(0, 12)}: ${why}`);
}
