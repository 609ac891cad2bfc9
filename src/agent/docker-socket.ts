import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import type { PeerListeners } from './peers';

/**
 * The Docker socket a container binds (`-v /var/run/docker.sock:/var/run/docker.sock`, as CI
 * runners do): the agent listens on a unix socket at that path in the replica, and each
 * connection is carried over its connection to the daemon, whose own API answers it. So `docker`
 * run inside the container drives this daemon, as it would drive dockerd through the bind.
 */
export function serveDockerSocket(path: string, peers: PeerListeners): Promise<Server> {
  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true, recursive: true });
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => peers.carry(socket, { daemon: true }));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      // As dockerd's socket: its owner and group only.
      chmodSync(path, 0o660);
      resolve(server);
    });
  });
}
