import { parsePortKey, type PortRequestFields } from '../daemon/ports/bindings';
import type { PeerDirectory } from '../daemon/peers';
import type { NetworkStore } from './store';
import { isDockerSocketBind } from '../volumes/docker-socket';
import { mountRequests, type MountFields } from '../volumes/mounts';

/**
 * Peers from the network store: Docker resolves names on user networks only (not on the default
 * bridge, host or none), each container by its name, its aliases on that network (compose's
 * service name among them) and its short id.
 */
export function peerDirectory(networks: NetworkStore, container: Pick<PeerDirectory, 'exposed' | 'dockerSocket'>): PeerDirectory {
  const userNetworks = (id: string) => networks.endpointsOf(id).filter(({ network }) => !network.Predefined);
  return {
    onUserNetwork: (id) => userNetworks(id).length > 0,
    neighbours: (id) => {
      const found = new Map<string, Set<string>>();
      for (const { network } of userNetworks(id)) {
        for (const e of Object.values(networks.find(network.Id)?.Endpoints ?? {})) {
          if (e.ContainerID === id) continue;
          let names = found.get(e.ContainerID);
          if (!names) found.set(e.ContainerID, (names = new Set()));
          for (const n of [e.Name, ...(e.Aliases ?? []), e.ContainerID.slice(0, 12)]) if (n) names.add(n);
        }
      }
      return [...found].map(([peer, names]) => ({ id: peer, names: [...names] }));
    },
    members: () => {
      const ids = new Set<string>();
      for (const n of networks.list()) if (!n.Predefined) for (const id of Object.keys(n.Endpoints)) ids.add(id);
      return ids;
    },
    exposed: container.exposed,
    dockerSocket: container.dockerSocket,
  };
}

/** The TCP ports a container exposes (`EXPOSE`, `--expose`) or publishes (`-p`), which its peers reach before its servers are seen listening. */
export function exposedTcpPorts(fields: Pick<PortRequestFields, 'ExposedPorts' | 'PortBindings'>): number[] {
  const ports = new Set<number>();
  for (const key of [...Object.keys(fields.ExposedPorts ?? {}), ...Object.keys(fields.PortBindings ?? {})]) {
    const spec = parsePortKey(key);
    if (spec?.proto === 'tcp') ports.add(spec.port);
  }
  return [...ports];
}

/** The container path where a container binds the host's Docker socket, if it does. */
export function dockerSocketTarget(hostConfig: MountFields['HostConfig']): string | undefined {
  try {
    return mountRequests({ HostConfig: hostConfig }, null).find(isDockerSocketBind)?.destination;
  } catch {
    return undefined;
  }
}
