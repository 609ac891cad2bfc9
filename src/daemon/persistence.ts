import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ContainerContext } from '../../machines/container';
import type { ContainerHoldings } from '../container-resources/resources';
import type { ImageRecord } from '../images/types';
import type { NetworkPersist } from '../networks/store';
import type { NetworkRecord } from '../networks/types';
import type { ObjectKind, Store } from '../store';
import type { SharedJobRecord } from './shared-jobs';
import type { VolumeRecord } from '../volumes/types';
import type { ContainerSnapshot } from './daemon';
import type { DockerEvent, EventBus } from './events';
import type { ExecStore, PersistedExec } from './exec-store';

/** What was last written for a container: an unchanged snapshot object is not written again. */
interface Written {
  snapshot: ContainerSnapshot;
  config: ContainerContext['config'];
  hostConfig: ContainerContext['hostConfig'];
}

/**
 * Writes the daemon's state to the store as it changes. A container actor's snapshot is written
 * synchronously at the end of the transition that produced it (the `@xstate.snapshot`
 * inspection event), in one transaction with the Docker events that transition announced. That
 * is before anything the transition started can be seen outside: replies are promise callbacks
 * and cloud calls begin after at least one await, both later in the same tick.
 */
export class Persistence {
  readonly #store: Store;
  readonly #written = new Map<string, Written>();
  #pendingEvents: DockerEvent[] = [];
  #flushScheduled = false;
  #paused = false;
  /** Actors coming back from the store: their snapshots are what is stored, so none is written. */
  #restoring = false;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The inspection observer: every container actor's snapshot, as it changes. */
  observe = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.snapshot' || this.#paused) return;
    const ref = event.actorRef as AnyActorRef & { src?: unknown };
    if (ref.src !== 'container') return;
    const snapshot = event.snapshot as ContainerSnapshot;
    if (snapshot.status === 'active') this.#saveContainer(ref, snapshot);
    else if (snapshot.status === 'done') this.#removeContainer(ref.id);
  };

  /** Docker events go to the history with the change that announced them. */
  attachEvents(bus: EventBus): void {
    bus.on('event', (e: DockerEvent) => {
      if (this.#paused) return;
      this.#pendingEvents.push(e);
      this.#scheduleFlush();
    });
  }

  attachExecs(execs: ExecStore): void {
    execs.onChange = (id, record) => this.#write(() => (record ? this.#store.objects.put('exec', id, record) : this.#store.objects.remove('exec', id)));
  }

  tokenMinted = (containerId: string, digest: Buffer): void => {
    this.#write(() => this.#store.tokens.put(containerId, digest));
  };

  /** A store's full record set after a change; only what changed is written. */
  images = (records: ImageRecord[]): void => this.#sync('image', records.map((r) => [r.Id, r]));
  /** The networks themselves (made at first start); their endpoints are written as they change, by `network`. */
  networks = (records: NetworkRecord[]): void => this.#sync('network', records.map((r) => [r.Id, { ...r, Endpoints: {} }]));
  /** One network or endpoint at a time: connecting a container writes one small row. */
  readonly network: NetworkPersist = {
    network: (id, header) => this.#write(() => (header ? this.#store.objects.put('network', id, header) : this.#store.objects.remove('network', id))),
    endpoint: (networkId, containerId, endpoint) => {
      const key = `${networkId}/${containerId}`;
      this.#write(() => (endpoint ? this.#store.objects.put('endpoint', key, endpoint) : this.#store.objects.remove('endpoint', key)));
    },
  };
  volumes = (records: VolumeRecord[]): void => this.#sync('volume', records.map((r) => [r.Name, r]));
  /** The shared jobs this daemon made (job reuse), by shape. */
  sharedJobs = (records: SharedJobRecord[]): void => this.#sync('shared-job', records.map((r) => [r.shape, r]));

  #sync(kind: ObjectKind, entries: Array<[string, unknown]>): void {
    this.#write(() => this.#store.objects.sync(kind, new Map(entries)));
  }

  holdingChanged = (containerId: string, holdings: ContainerHoldings | undefined): void => {
    this.#write(() => (holdings ? this.#store.objects.put('holding', containerId, holdings) : this.#store.objects.remove('holding', containerId)));
  };

  /** Runs `fn` as one transaction. */
  batch<T>(fn: () => T): T {
    return this.#store.transaction(fn);
  }

  /**
   * Creates the restored actors. Their snapshots are the stored ones (but for what cannot
   * outlive a process: requests in flight, the agent connection), so they are not written back;
   * their next transition writes them.
   */
  restoring<T>(fn: () => T): T {
    this.#restoring = true;
    try {
      return this.#store.transaction(fn);
    } finally {
      this.#restoring = false;
    }
  }

  /** Stops writing (shutdown: the actors are about to be stopped, which is not a state to keep). */
  pause(): void {
    this.#flushEvents();
    this.#paused = true;
  }

  #saveContainer(ref: AnyActorRef, snapshot: ContainerSnapshot): void {
    const last = this.#written.get(ref.id);
    if (last?.snapshot === snapshot) return;
    const ctx = snapshot.context;
    if (this.#restoring) {
      this.#written.set(ref.id, { snapshot, config: ctx.config, hostConfig: ctx.hostConfig });
      return;
    }
    const persisted = JSON.stringify(ref.getPersistedSnapshot());
    const state = JSON.stringify(snapshot.value);
    this.#write(() => {
      if (last && last.config === ctx.config && last.hostConfig === ctx.hostConfig && this.#store.containers.saveSnapshot(ctx.id, ctx.name, state, persisted)) return;
      const input = { id: ctx.id, name: ctx.name, created: ctx.created, imageId: ctx.imageId, config: ctx.config, hostConfig: ctx.hostConfig };
      this.#store.containers.save({
        id: ctx.id, name: ctx.name, image: ctx.config.Image, created: ctx.created, labels: JSON.stringify(ctx.config.Labels ?? {}),
        input: JSON.stringify(input), state, snapshot: persisted,
      });
    });
    this.#written.set(ref.id, { snapshot, config: ctx.config, hostConfig: ctx.hostConfig });
  }

  #removeContainer(id: string): void {
    this.#written.delete(id);
    this.#write(() => {
      this.#store.containers.remove(id);
      this.#store.tokens.remove(id);
    });
  }

  /** One transaction holding `fn`'s writes and every event announced so far. */
  #write(fn: () => void): void {
    if (this.#store.closed) return;
    this.#store.transaction(() => {
      this.#appendEvents();
      fn();
    });
  }

  #appendEvents(): void {
    const events = this.#pendingEvents;
    if (!events.length) return;
    this.#pendingEvents = [];
    for (const e of events) this.#store.events.append(e);
  }

  #flushEvents(): void {
    if (this.#pendingEvents.length && !this.#store.closed) this.#store.transaction(() => this.#appendEvents());
  }

  // Events no state change carries (image pulls, tags) are written at the end of the tick.
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flushEvents();
    });
  }
}

export type { PersistedExec };
