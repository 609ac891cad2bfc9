import { invalidParameter } from '../errdefs';
import { checked } from '../errdefs/checked';
import type { DockerEvent, EventBus } from '../daemon/events';
import type { NetworkStore } from '../networks/store';
import { subnetOf } from '../networks/store';
import { checkVolumeName, isAnonymous } from '../volumes/store';
import { DOCKER_SOCKET_WARNING, isDockerSocketBind } from '../volumes/docker-socket';
import { mountFields, mountRecord, mountRequests } from '../volumes/mounts';
import { ANONYMOUS_LABEL, type MountRecord } from '../volumes/types';
import { shareOfBind, type BindShare } from '../volumes/bind-shares';
import type { VolumeStore } from '../volumes/store';
import { networkingFields, networkJoins } from './networking';

/** What a container holds besides its actor: plain JSON, kept per container id. */
export interface ContainerHoldings {
  mounts: MountRecord[];
  /** Its anonymous volumes go with it: `--rm`, or `DELETE ?v=1`. */
  autoRemove: boolean;
  removeVolumes: boolean;
}

/** A create that passed validation; `commit` makes its volumes and endpoints once the container exists. */
export interface PreparedCreate {
  warnings: string[];
  commit(): void;
}

/** The minimum of a new container this module reads. */
export interface NewContainer {
  id: string;
  name: string;
  hostConfig: { NetworkMode: string; AutoRemove: boolean };
}

export interface NetworkView {
  NetworkSettings: {
    Bridge: string; SandboxID: string; SandboxKey: string; Ports: Record<string, unknown>; HairpinMode: boolean;
    LinkLocalIPv6Address: string; LinkLocalIPv6PrefixLen: number; SecondaryIPAddresses: null; SecondaryIPv6Addresses: null;
    EndpointID: string; Gateway: string; GlobalIPv6Address: string; GlobalIPv6PrefixLen: number; IPAddress: string; IPPrefixLen: number;
    IPv6Gateway: string; MacAddress: string; Networks: Record<string, EndpointView>;
  };
  Mounts: MountRecord[];
}

export interface EndpointView {
  IPAMConfig: { IPv4Address: string } | null;
  Links: null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** The part of the containers API this module serves; the containers router holds one. */
export interface ContainerResourcesApi {
  prepare(container: NewContainer, body: unknown, imageVolumes: Record<string, unknown> | null): PreparedCreate;
  view(containerId: string): NetworkView;
  /** `DELETE /containers/{id}?v=1`: whether removal takes the anonymous volumes along. */
  removeVolumesWith(containerId: string, remove: boolean): void;
}

/** Why a host path cannot be mounted: the job runs on ACA, far from this daemon's disk. */
export const BIND_REFUSAL = (src: string, dst: string) =>
  `bind mount ${src}:${dst} is not supported: the container runs as an Azure Container Apps job, which cannot see this daemon's disk; use a named volume (an Azure Files share) instead, or map the host path to one with SOCKERLESS_BIND_VOLUMES`;
const NO_SHARES = (name: string) =>
  `volume ${name}: named volumes are Azure Files shares and no storage account is configured; set SOCKERLESS_ACA_STORAGE_ACCOUNT (and SOCKERLESS_ACA_STORAGE_KEY, or let the daemon list the account's keys)`;

/**
 * Networks and volumes as containers use them: endpoints and mounts made at create, shown in
 * inspect, released when the container is destroyed (its anonymous volumes too, with `--rm` or `v=1`).
 */
export class ContainerResources implements ContainerResourcesApi {
  readonly #holdings = new Map<string, ContainerHoldings>();
  readonly #onChange: ((containerId: string, holdings: ContainerHoldings | undefined) => void) | undefined;

  constructor(
    private readonly networks: NetworkStore,
    private readonly volumes: VolumeStore,
    events: EventBus,
    /** Holdings kept across a daemon restart, and where each change goes to be kept. */
    persisted: { holdings?: Iterable<[string, ContainerHoldings]>; onChange?(containerId: string, holdings: ContainerHoldings | undefined): void } = {},
    /** Whether named volumes have shares to live in (a storage account is configured), and the host paths shares serve. */
    private readonly backing: { namedVolumes: boolean; bindShares?: readonly BindShare[]; dockerSocketServed?: boolean } = { namedVolumes: true },
  ) {
    for (const [id, h] of persisted.holdings ?? []) this.#holdings.set(id, structuredClone(h));
    this.#onChange = persisted.onChange;
    volumes.usedBy = (name) => [...this.#holdings].filter(([, h]) => h.mounts.some((m) => m.Name === name)).map(([id]) => id);
    events.on('event', (e: DockerEvent) => {
      if (e.Type !== 'container') return;
      if (e.Action === 'destroy') this.#release(e.Actor.ID);
      if (e.Action === 'rename' && e.Actor.Attributes.name) networks.renameContainer(e.Actor.ID, e.Actor.Attributes.name);
    });
  }

  prepare(container: NewContainer, body: unknown, imageVolumes: Record<string, unknown> | null): PreparedCreate {
    const fields = checked(mountFields, body);
    const net = checked(networkingFields, body);
    const joins = networkJoins(container.hostConfig.NetworkMode, net, this.networks);
    for (const j of joins) if (j.ipv4) this.networks.checkAddress(j.networkId, j.ipv4);
    const asked = mountRequests(fields, imageVolumes);
    const requests = asked.filter((m) => !isDockerSocketBind(m));
    for (const m of requests) if (m.type === 'volume' && m.source) checkVolumeName(m.source);
    for (const m of requests) {
      if (m.type === 'bind' && !(this.backing.namedVolumes && shareOfBind(m.source, this.backing.bindShares ?? []))) throw invalidParameter(BIND_REFUSAL(m.source, m.destination));
      if (m.type === 'volume' && m.source && !this.backing.namedVolumes) throw invalidParameter(NO_SHARES(m.source));
    }
    // Served by the agent where it can (the daemon's own API at that path); a clear warning otherwise.
    const warnings: string[] = this.backing.dockerSocketServed ? [] : asked.filter(isDockerSocketBind).map((m) => DOCKER_SOCKET_WARNING(m.source, m.destination));
    return {
      warnings,
      commit: () => {
        // Announced at each start and end of a run (the chart's joinNetworks/leaveNetworks), as dockerd's.
        for (const j of joins) this.networks.connect(j.networkId, container, { aliases: j.aliases, quiet: true, ...(j.ipv4 ? { ipv4: j.ipv4 } : {}) });
        const mounts = requests.map((m) => {
          // A mapped bind's volume exists from the first container that binds its host path.
          const mapped = m.type === 'bind' ? shareOfBind(m.source, this.backing.bindShares ?? []) : undefined;
          if (mapped) this.volumes.create({ Name: mapped.volume });
          if (m.type !== 'volume') return mountRecord(m);
          const labels = m.source ? m.labels : { ...m.labels, [ANONYMOUS_LABEL]: '' };
          return mountRecord(m, this.volumes.create({ Name: m.source || undefined, ...(labels ? { Labels: labels } : {}) }).Name);
        });
        const holdings = { mounts, autoRemove: container.hostConfig.AutoRemove, removeVolumes: false };
        this.#holdings.set(container.id, holdings);
        this.#onChange?.(container.id, holdings);
      },
    };
  }

  view(containerId: string): NetworkView {
    const networks: Record<string, EndpointView> = {};
    let bridge: EndpointView | undefined;
    for (const { network, endpoint } of this.networks.endpointsOf(containerId)) {
      const subnet = subnetOf(network);
      const user = !network.Predefined;
      const view: EndpointView = {
        IPAMConfig: null,
        Links: null,
        Aliases: user ? endpoint.Aliases : null,
        MacAddress: endpoint.MacAddress,
        DriverOpts: null,
        NetworkID: network.Id,
        EndpointID: endpoint.EndpointID,
        Gateway: subnet ? (network.IPAM.Config[0]?.Gateway ?? '') : '',
        IPAddress: endpoint.IPAddress,
        IPPrefixLen: subnet ? subnet.bits : 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: user ? [endpoint.Name, containerId.slice(0, 12), ...endpoint.Aliases] : null,
      };
      networks[network.Name] = view;
      if (network.Predefined && network.Name === 'bridge') bridge = view;
    }
    return {
      NetworkSettings: {
        Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false,
        LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
        EndpointID: bridge?.EndpointID ?? '', Gateway: bridge?.Gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
        IPAddress: bridge?.IPAddress ?? '', IPPrefixLen: bridge?.IPPrefixLen ?? 0, IPv6Gateway: '', MacAddress: bridge?.MacAddress ?? '',
        Networks: networks,
      },
      Mounts: (this.#holdings.get(containerId)?.mounts ?? []).map((m) => ({ ...m })),
    };
  }

  /** Every container's holdings, for persistence (plain JSON). */
  snapshot(): Record<string, ContainerHoldings> {
    return structuredClone(Object.fromEntries(this.#holdings));
  }

  removeVolumesWith(containerId: string, remove: boolean): void {
    const h = this.#holdings.get(containerId);
    if (!h) return;
    h.removeVolumes = remove;
    this.#onChange?.(containerId, h);
  }

  #release(containerId: string): void {
    this.networks.releaseContainer(containerId, true);
    const h = this.#holdings.get(containerId);
    this.#holdings.delete(containerId);
    if (h) this.#onChange?.(containerId, undefined);
    if (!h || !(h.autoRemove || h.removeVolumes)) return;
    for (const m of h.mounts) {
      const v = m.Name !== undefined ? this.volumes.find(m.Name) : undefined;
      if (v && isAnonymous(v) && this.volumes.usedBy(v.Name).length === 0) this.volumes.remove(v.Name);
    }
  }
}
