import { randomBytes } from 'node:crypto';
import { conflict, forbidden, invalidParameter, notFound } from '../errdefs';
import { contains, defaultPools, formatIPv4, formatSubnet, hostRange, macFor, overlaps, parseIPv4, parseSubnet, type Subnet } from './addresses';
import type { EndpointRecord, IpamConfig, NetworkAnnounce, NetworkRecord, NetworkSpec } from './types';

export interface NetworkStoreOptions {
  /** Records to start from (what `snapshot()` gave earlier); the predefined networks are added when missing. */
  records?: readonly NetworkRecord[];
  /** Told of each change, for persistence: one call per network or endpoint changed, never the whole set. */
  persist?: NetworkPersist;
  announce?: NetworkAnnounce;
  now?: () => Date;
}

/** Where changes go to be kept: a network's own fields (its `Endpoints` empty) and each endpoint apart. */
export interface NetworkPersist {
  network(id: string, header: NetworkRecord | undefined): void;
  endpoint(networkId: string, containerId: string, endpoint: EndpointRecord | undefined): void;
}

/** Which addresses of a network are taken; every address below `from` is (allocation takes the lowest free). */
interface AddressBook {
  used: Set<number>;
  from: number;
}

export const PREDEFINED = ['bridge', 'host', 'none'] as const;

const newId = () => randomBytes(32).toString('hex');

/** Docker's network name rule (the same as container names, plus the predefined ones). */
const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * The daemon's networks: records in memory, each change told to `persist` (the daemon's store). Containers get synthetic addresses,
 * unique per network, that ACA never routes: each job execution is isolated in the environment.
 */
export class NetworkStore {
  readonly #records = new Map<string, NetworkRecord>();
  /** Each network without its endpoints, made once and frozen: shared by every caller that reads it. */
  readonly #headers = new Map<string, NetworkRecord>();
  readonly #addresses = new Map<string, AddressBook>();
  readonly #persist: NetworkPersist | undefined;
  readonly #announce: NetworkAnnounce;
  readonly #now: () => Date;

  constructor(options: NetworkStoreOptions = {}) {
    this.#persist = options.persist;
    this.#announce = options.announce ?? (() => {});
    this.#now = options.now ?? (() => new Date());
    for (const r of options.records ?? []) this.#insert(structuredClone(r));
    for (const name of PREDEFINED) {
      if (this.#byName(name)) continue;
      const record = this.#predefined(name);
      this.#insert(record);
      this.#persist?.network(record.Id, this.#header(record));
    }
  }

  /** `POST /networks/create`. */
  create(spec: NetworkSpec): NetworkRecord {
    const name = spec.Name;
    if (!validName.test(name)) throw invalidParameter(`invalid network name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if ((PREDEFINED as readonly string[]).includes(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (this.#byName(name)) throw conflict(`network with name ${name} already exists`);
    const driver = spec.Driver || 'bridge';
    if (driver !== 'bridge') {
      throw invalidParameter(`network driver "${driver}" is not supported: Sockerless ACA tracks bridge networks only (ACA jobs have no network between them)`);
    }
    if (spec.EnableIPv6) throw invalidParameter('IPv6 networks are not supported: Sockerless ACA assigns synthetic IPv4 addresses only');
    const record: NetworkRecord = {
      Id: newId(),
      Name: name,
      Created: this.#now().toISOString(),
      Driver: driver,
      Internal: spec.Internal ?? false,
      Attachable: spec.Attachable ?? false,
      EnableIPv6: false,
      IPAM: { Driver: spec.IPAM?.Driver || 'default', Options: spec.IPAM?.Options ?? {}, Config: this.#ipamConfig(spec) },
      Options: spec.Options ?? {},
      Labels: spec.Labels ?? {},
      Predefined: false,
      Endpoints: {},
    };
    this.#insert(record);
    this.#announce('create', record);
    this.#persist?.network(record.Id, this.#header(record));
    return structuredClone(record);
  }

  /** Docker's lookup: full id, exact name, then a unique id prefix. */
  find(ref: string): NetworkRecord | undefined {
    const found = this.#lookup(ref);
    return found && structuredClone(found);
  }

  /** `find` without the network's endpoints (read-only, shared): O(1) however many containers are attached. */
  findHeader(ref: string): Readonly<NetworkRecord> | undefined {
    const found = this.#lookup(ref);
    return found && this.#header(found);
  }

  /** Like `find`, but 404 `network X not found` when there is none. */
  resolve(ref: string): NetworkRecord {
    return structuredClone(this.#mustFind(ref));
  }

  list(): NetworkRecord[] {
    return [...this.#records.values()].map((r) => structuredClone(r));
  }

  /** Attaches a container, giving it the lowest free address (or the one asked for). */
  connect(ref: string, container: { id: string; name: string }, opts: { aliases?: string[]; ipv4?: string; quiet?: boolean } = {}): EndpointRecord {
    const network = this.#mustFind(ref);
    if (network.Endpoints[container.id]) {
      throw forbidden(`endpoint with name ${container.name.replace(/^\//, '')} already exists in network ${network.Name}`);
    }
    const endpoint: EndpointRecord = {
      ContainerID: container.id,
      Name: container.name.replace(/^\//, ''),
      EndpointID: newId(),
      MacAddress: '',
      IPAddress: '',
      Aliases: opts.aliases ?? [],
    };
    const subnet = subnetOf(network);
    if (subnet) {
      const ip = this.#allocate(network, subnet, opts.ipv4);
      this.#book(network).used.add(ip);
      endpoint.IPAddress = formatIPv4(ip);
      endpoint.MacAddress = macFor(ip);
    }
    network.Endpoints[container.id] = endpoint;
    if (!opts.quiet) this.#announce('connect', network, { container: container.id });
    this.#persist?.endpoint(network.Id, container.id, endpoint);
    return structuredClone(endpoint);
  }

  /** Whether `connect` would accept the address; throws its 400/403 otherwise (checked before a container exists). */
  checkAddress(ref: string, ipv4: string): void {
    const network = this.#mustFind(ref);
    const subnet = subnetOf(network);
    if (!subnet) throw invalidParameter(`user specified IP address is supported only on networks with a subnet: ${network.Name} has none`);
    this.#allocate(network, subnet, ipv4);
  }

  disconnect(ref: string, containerId: string): void {
    const network = this.#mustFind(ref);
    if (!network.Endpoints[containerId]) throw forbidden(`container ${containerId} is not connected to network ${network.Name}`);
    this.#detach(network, containerId);
  }

  /** `DELETE /networks/{id}`: 403 for the predefined networks (as dockerd), 409 while containers are attached. */
  remove(ref: string): void {
    const network = this.#mustFind(ref);
    if (network.Predefined) throw forbidden(`${network.Name} is a pre-defined network and cannot be removed`);
    if (Object.keys(network.Endpoints).length) {
      throw conflict(`error while removing network: network ${network.Name} id ${network.Id} has active endpoints`);
    }
    this.#delete(network);
  }

  /** Removes the unused user networks `keep` does not keep; returns their names. */
  prune(select: (n: NetworkRecord) => boolean): string[] {
    const gone: string[] = [];
    for (const n of [...this.#records.values()]) {
      if (n.Predefined || Object.keys(n.Endpoints).length || !select(structuredClone(n))) continue;
      this.#delete(n);
      gone.push(n.Name);
    }
    return gone;
  }

  /**
   * The networks a container is on (without their endpoints), with its endpoint on each. Not
   * copies: read them (a list renders one per container), don't keep or change them.
   */
  endpointsOf(containerId: string): Array<{ network: Readonly<NetworkRecord>; endpoint: Readonly<EndpointRecord> }> {
    const found = [];
    for (const n of this.#records.values()) {
      const endpoint = n.Endpoints[containerId];
      if (endpoint) found.push({ network: this.#header(n), endpoint });
    }
    return found;
  }

  /**
   * A removed container leaves every network. dockerd announced its disconnects when it stopped
   * (announceEndpoints), so `quiet` leaves them unsaid here.
   */
  releaseContainer(containerId: string, quiet = false): void {
    for (const n of this.#records.values()) if (n.Endpoints[containerId]) this.#detach(n, containerId, quiet);
  }

  /**
   * dockerd joins a container's networks when it starts and leaves them when it stops, announcing
   * `connect`/`disconnect` for each; the endpoints themselves are kept here from create to removal.
   */
  announceEndpoints(containerId: string, action: 'connect' | 'disconnect'): void {
    for (const n of this.#records.values()) if (n.Endpoints[containerId]) this.#announce(action, n, { container: containerId });
  }

  renameContainer(containerId: string, name: string): void {
    for (const n of this.#records.values()) {
      const e = n.Endpoints[containerId];
      if (!e) continue;
      // A new object: what endpointsOf handed out before stays as it was.
      n.Endpoints[containerId] = { ...e, Name: name.replace(/^\//, '') };
      this.#persist?.endpoint(n.Id, containerId, n.Endpoints[containerId]);
    }
  }

  /** Every record, for persistence; `new NetworkStore({ records })` restores them. */
  snapshot(): NetworkRecord[] {
    return this.list();
  }

  #insert(r: NetworkRecord): void {
    this.#records.set(r.Id, r);
  }

  #delete(n: NetworkRecord): void {
    this.#records.delete(n.Id);
    this.#headers.delete(n.Id);
    this.#addresses.delete(n.Id);
    this.#announce('destroy', n);
    this.#persist?.network(n.Id, undefined);
  }

  #detach(n: NetworkRecord, containerId: string, quiet = false): void {
    const ip = parseIPv4(n.Endpoints[containerId]!.IPAddress);
    delete n.Endpoints[containerId];
    const book = this.#addresses.get(n.Id);
    if (book && ip !== undefined && book.used.delete(ip)) book.from = Math.min(book.from, ip);
    if (!quiet) this.#announce('disconnect', n, { container: containerId });
    this.#persist?.endpoint(n.Id, containerId, undefined);
  }

  #header(n: NetworkRecord): NetworkRecord {
    let header = this.#headers.get(n.Id);
    if (!header) this.#headers.set(n.Id, (header = deepFreeze(structuredClone({ ...n, Endpoints: {} }))));
    return header;
  }

  /** The network's taken addresses, gathered from its endpoints once, then kept up to date. */
  #book(n: NetworkRecord): AddressBook {
    let book = this.#addresses.get(n.Id);
    if (!book) {
      const used = new Set<number>();
      for (const e of Object.values(n.Endpoints)) {
        const ip = parseIPv4(e.IPAddress);
        if (ip !== undefined) used.add(ip);
      }
      this.#addresses.set(n.Id, (book = { used, from: 0 }));
    }
    return book;
  }

  #byName(name: string): NetworkRecord | undefined {
    for (const r of this.#records.values()) if (r.Name === name) return r;
    return undefined;
  }

  #lookup(ref: string): NetworkRecord | undefined {
    if (ref === '') return undefined;
    const byId = this.#records.get(ref);
    if (byId) return byId;
    const byName = this.#byName(ref);
    if (byName) return byName;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.#records.values()].filter((r) => r.Id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`network ${ref} is ambiguous (${matches.length} matches found on id prefix)`);
    return matches[0];
  }

  #mustFind(ref: string): NetworkRecord {
    const found = this.#lookup(ref);
    if (!found) throw notFound(`network ${ref} not found`);
    return found;
  }

  #ipamConfig(spec: NetworkSpec): IpamConfig[] {
    const taken = [...this.#records.values()].map(subnetOf).filter((s): s is Subnet => s !== undefined);
    const asked = spec.IPAM?.Config ?? [];
    if (asked.length > 1) throw invalidParameter('only one IPAM config (one IPv4 subnet) per network is supported');
    const given = asked[0];
    if (given?.Subnet) {
      const subnet = parseSubnet(given.Subnet);
      if (taken.some((t) => overlaps(t, subnet))) throw forbidden(`Pool overlaps with other one on this address space`);
      const { first } = hostRange(subnet);
      const gateway = given.Gateway ? parseIPv4(given.Gateway) : first;
      if (gateway === undefined || !contains(subnet, gateway)) throw invalidParameter(`invalid gateway ${given.Gateway}: not in subnet ${given.Subnet}`);
      return [{ Subnet: formatSubnet(subnet), Gateway: formatIPv4(gateway), ...(given.IPRange ? { IPRange: given.IPRange } : {}) }];
    }
    if (given?.Gateway) throw invalidParameter('a gateway needs a subnet');
    for (const pool of defaultPools()) {
      if (taken.some((t) => overlaps(t, pool))) continue;
      return [{ Subnet: formatSubnet(pool), Gateway: formatIPv4(hostRange(pool).first) }];
    }
    throw forbidden('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
  }

  #allocate(network: NetworkRecord, subnet: Subnet, wanted?: string): number {
    const gateway = parseIPv4(network.IPAM.Config[0]?.Gateway ?? '');
    const book = this.#book(network);
    if (wanted) {
      const ip = parseIPv4(wanted);
      if (ip === undefined || !contains(subnet, ip)) throw invalidParameter(`invalid IPv4 address ${wanted} for network ${network.Name}`);
      if (book.used.has(ip) || ip === gateway) throw forbidden(`Address already in use: ${wanted}`);
      return ip;
    }
    const { first, last } = hostRange(subnet);
    for (let ip = Math.max(first, book.from); ip <= last; ip++) {
      if (ip === gateway || book.used.has(ip)) continue;
      book.from = ip;
      return ip;
    }
    throw forbidden(`no available IPv4 addresses on network ${network.Name}`);
  }

  #predefined(name: (typeof PREDEFINED)[number]): NetworkRecord {
    const base = {
      Id: newId(), Name: name, Created: this.#now().toISOString(), Internal: false, Attachable: false, EnableIPv6: false,
      Labels: {}, Predefined: true, Endpoints: {},
    };
    if (name === 'bridge') {
      return {
        ...base,
        Driver: 'bridge',
        IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] },
        Options: {
          'com.docker.network.bridge.default_bridge': 'true',
          'com.docker.network.bridge.name': 'docker0',
          'com.docker.network.driver.mtu': '1500',
        },
      };
    }
    return { ...base, Driver: name === 'host' ? 'host' : 'null', IPAM: { Driver: 'default', Options: {}, Config: [] }, Options: {} };
  }

}

const subnets = new WeakMap<NetworkRecord, Subnet | undefined>();

/** The IPv4 subnet addresses come from; none on `host` and `none`. Parsed once per record (a network's IPAM never changes). */
export function subnetOf(n: NetworkRecord): Subnet | undefined {
  if (subnets.has(n)) return subnets.get(n);
  const cidr = n.IPAM.Config[0]?.Subnet;
  const subnet = n.Driver === 'bridge' && cidr ? parseSubnet(cidr) : undefined;
  subnets.set(n, subnet);
  return subnet;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
