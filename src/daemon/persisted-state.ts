import { randomUUID } from 'node:crypto';
import type { InspectionEvent, Snapshot } from 'xstate';
import type { ContainerHoldings } from '../container-resources/resources';
import type { ImageRecord } from '../images/types';
import type { Logger } from '../log';
import type { NetworkPersist } from '../networks/store';
import type { EndpointRecord, NetworkRecord } from '../networks/types';
import { Store, type Durability, type ObjectKind } from '../store';
import type { SharedJobRecord } from './shared-jobs';
import type { VolumeRecord } from '../volumes/types';
import type { Daemon } from './daemon';
import { EventBus, type DockerEvent } from './events';
import type { PersistedExec } from './exec-store';
import { Persistence } from './persistence';
import { mayBeRunning, restoreContainers, startResumer, type RestoredContainers } from './restore';
import type { Cloud } from '../aca/cloud';

/** Where each store starts from and where its changes go. */
export interface StoreSeed<T> {
  records: T[];
  onChange?: (records: T[]) => void;
}

/**
 * The daemon's durable state as start-up needs it: what the store gave back for every part of
 * the daemon, and the hooks that keep the store up to date. With persistence off (bench
 * comparisons, SOCKERLESS_PERSIST=off) everything starts empty and nothing is written.
 */
export interface PersistedState {
  /** This daemon's identity: kept across restarts, tagged on every job it makes. */
  instanceId: string;
  events: EventBus;
  images: StoreSeed<ImageRecord>;
  /** `onChange` takes the networks themselves (start-up); `persist` each change after. */
  networks: StoreSeed<NetworkRecord> & { persist?: NetworkPersist };
  volumes: StoreSeed<VolumeRecord>;
  /** The shared jobs (job reuse) this daemon made and has not retired, with their agent keys. */
  sharedJobs: StoreSeed<SharedJobRecord>;
  holdings: { holdings: Array<[string, ContainerHoldings]>; onChange?: (id: string, h: ContainerHoldings | undefined) => void };
  /** The root actor's snapshot, and the runJob resumption for interrupted starts. */
  daemon(cloud: Cloud): { snapshot?: Snapshot<unknown>; resumeStart?: ReturnType<typeof startResumer> };
  /** Composes the persistence observer with another inspection observer. */
  inspect(next?: (event: InspectionEvent) => void): ((event: InspectionEvent) => void) | undefined;
  /** Creates the daemon (its actors restored in one transaction), then resumes what was in flight. */
  restore(create: () => Daemon): Daemon;
  restored: RestoredContainers;
  /** Stops writing (before the actors are stopped at shutdown). */
  pause(): void;
  close(): void;
}

export interface PersistedStateOptions {
  dataRoot: string;
  enabled: boolean;
  durability?: Durability;
  logger: Logger;
}

export function openPersistedState(opts: PersistedStateOptions): PersistedState {
  if (!opts.enabled) return ephemeralState();
  const store = Store.open(opts.dataRoot, { durability: opts.durability });
  const persistence = new Persistence(store);
  const instanceId = store.meta.getOrCreate('instance-id', () => randomUUID());
  const load = <T>(kind: ObjectKind) => store.objects.load<T>(kind);
  const restored = restoreContainers(store.containers.all());
  for (const d of restored.damaged) opts.logger.error({ container: d.id, reason: d.reason }, 'container state could not be restored; it is shown as dead');
  const tokens = store.tokens.all();
  const execs = load<PersistedExec>('exec').map((e) => e.value);
  const events = new EventBus(1000, store.events.recent<DockerEvent>());
  persistence.attachEvents(events);

  return {
    instanceId,
    events,
    images: { records: load<ImageRecord>('image').map((r) => r.value), onChange: persistence.images },
    networks: { records: withEndpoints(load<NetworkRecord>('network'), load<EndpointRecord>('endpoint')), onChange: persistence.networks, persist: persistence.network },
    volumes: { records: load<VolumeRecord>('volume').map((r) => r.value), onChange: persistence.volumes },
    sharedJobs: { records: load<SharedJobRecord>('shared-job').map((r) => r.value), onChange: persistence.sharedJobs },
    holdings: { holdings: load<ContainerHoldings>('holding').map((r) => [r.key, r.value]), onChange: persistence.holdingChanged },
    daemon: (cloud) => ({ snapshot: restored.snapshot, resumeStart: startResumer(cloud, restored) }),
    inspect: (next) => (event) => {
      persistence.observe(event);
      next?.(event);
    },
    restore(create) {
      const daemon = persistence.restoring(create);
      daemon.agents.onMinted = persistence.tokenMinted;
      const ids = new Set(restored.containers.map((c) => c.id));
      daemon.execs.restore(execs.filter((e) => ids.has(e.containerId)));
      persistence.attachExecs(daemon.execs);
      for (const c of restored.containers) {
        const digest = tokens.get(c.id);
        if (digest && agentMayDial(c)) daemon.agents.resume(c.id, digest);
      }
      persistence.batch(() => {
        for (const ref of daemon.containers()) ref.send({ type: 'RESUME' });
      });
      if (restored.containers.length) opts.logger.info({ containers: restored.containers.length, damaged: restored.damaged.length }, 'containers restored from the store');
      return daemon;
    },
    restored,
    pause: () => persistence.pause(),
    close: () => store.close(),
  };
}

/** Networks as the store keeps them (each endpoint in its own row, keyed `networkId/containerId`), put together. */
function withEndpoints(networks: Array<{ key: string; value: NetworkRecord }>, endpoints: Array<{ key: string; value: EndpointRecord }>): NetworkRecord[] {
  const byId = new Map(networks.map(({ value }) => [value.Id, { ...value, Endpoints: {} as Record<string, EndpointRecord> }]));
  for (const { key, value } of endpoints) {
    const network = byId.get(key.slice(0, key.indexOf('/')));
    if (network) network.Endpoints[value.ContainerID] = value;
  }
  return [...byId.values()];
}

/** An agent may still run for this container and dial back: its run had one, or its start was interrupted. */
function agentMayDial(c: RestoredContainers['containers'][number]): boolean {
  const top = typeof c.value === 'string' ? c.value : Object.keys(c.value as object)[0];
  return top === 'starting' || (mayBeRunning(c.value) && c.context.execution?.agent === true);
}

function ephemeralState(): PersistedState {
  const restored: RestoredContainers = { snapshot: undefined, containers: [], damaged: [] };
  return {
    instanceId: randomUUID(),
    events: new EventBus(),
    images: { records: [] },
    networks: { records: [] },
    volumes: { records: [] },
    sharedJobs: { records: [] },
    holdings: { holdings: [] },
    daemon: () => ({}),
    inspect: (next) => next,
    restore: (create) => create(),
    restored,
    pause: () => {},
    close: () => {},
  };
}
