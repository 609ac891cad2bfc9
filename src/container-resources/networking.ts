import { z } from 'zod';
import { notFound } from '../errdefs';
import type { NetworkStore } from '../networks/store';

/** The create body's `NetworkingConfig`. */
export const networkingFields = z
  .object({
    NetworkingConfig: z
      .object({
        EndpointsConfig: z
          .record(
            z.string(),
            z
              .object({
                Aliases: z.array(z.string()).nullish(),
                IPAMConfig: z.object({ IPv4Address: z.string().optional() }).loose().nullish(),
              })
              .loose()
              .nullish(),
          )
          .nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export type NetworkingFields = z.infer<typeof networkingFields>;

/** A network a new container joins, resolved to its id. */
export interface NetworkJoin {
  networkId: string;
  aliases: string[];
  ipv4?: string;
}

/**
 * The networks a container joins at create: the one its NetworkMode names (`bridge` for
 * `default`), plus any other EndpointsConfig entry. `container:<id>` mode joins none.
 * A network that does not exist is dockerd's 404.
 */
export function networkJoins(networkMode: string, body: NetworkingFields, networks: NetworkStore): NetworkJoin[] {
  const endpoints = body.NetworkingConfig?.EndpointsConfig ?? {};
  if (networkMode.startsWith('container:')) return [];
  const primary = networkMode === 'default' ? 'bridge' : networkMode;
  const names = [primary, ...Object.keys(endpoints).filter((k) => k !== 'default' && k !== primary)];
  const joins: NetworkJoin[] = [];
  for (const name of names) {
    const network = networks.findHeader(name);
    if (!network) throw notFound(`network ${name} not found`);
    if (joins.some((j) => j.networkId === network.Id)) continue;
    const config = endpoints[name] ?? (name === primary ? endpoints.default : undefined) ?? endpoints[network.Id];
    const ipv4 = config?.IPAMConfig?.IPv4Address || undefined;
    joins.push({ networkId: network.Id, aliases: config?.Aliases ?? [], ...(ipv4 ? { ipv4 } : {}) });
  }
  return joins;
}
