/** Paths of the Docker socket that CI runners bind into job containers (`-v /var/run/docker.sock:/var/run/docker.sock`). */
const DOCKER_SOCKETS = new Set(['/var/run/docker.sock', '/run/docker.sock']);

/** A bind of the host's Docker socket: it is left out of the container, with a warning, never refused. */
export function isDockerSocketBind(m: { type: string; source: string }): boolean {
  return m.type === 'bind' && DOCKER_SOCKETS.has(m.source);
}

/**
 * Why the socket is not there, where no agent serves it (none, or not the replica's init): a step
 * that runs `docker` inside the container does not reach the daemon. The create still succeeds,
 * because GitHub Actions' runner binds the socket into every job and service container. Where an
 * agent serves it, the bind becomes SOCKERLESS_DOCKER_SOCKET (src/agent/docker-socket.ts).
 */
export const DOCKER_SOCKET_WARNING = (src: string, dst: string) =>
  `bind mount ${src}:${dst}: the Docker socket is not served inside Azure Container Apps jobs; the container has no ${dst}, so \`docker\` run inside it does not reach this daemon (point DOCKER_HOST at the daemon's TCP address instead)`;
