// Each container actor's current state and its recent transitions, kept from the inspection
// events, for the /ui page. Cheap enough to run always: it reads the snapshots the actors
// already made.
import type { ActorRefLike, InspectionEvent } from 'xstate';
import { dockerStatus } from '../../machines/container';
import type { ContainerSnapshot } from '../daemon/daemon';
import type { InspectionHub } from '../inspect/hub';

export interface Transition {
  /** ISO time the container got there. */
  at: string;
  event: string;
  from: string;
  to: string;
}

export interface ContainerView {
  id: string;
  name: string;
  status: string;
  /** The state value as a dotted path, e.g. `running.up`. */
  state: string;
  /** Ids of every active state node (`container.running`, `container.running.up`). */
  active: readonly string[];
  transitions: Transition[];
}

export type TimelineChange = { type: 'update'; container: ContainerView } | { type: 'gone'; id: string };

const KEEP = 30;

/** `{ running: 'up' }` → ['running', 'running.up']. */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [prefix + k, ...paths(v, `${prefix}${k}.`)]);
}

const isContainer = (ref: ActorRefLike) => (ref as { logic?: { id?: string } }).logic?.id === 'container';

export class ContainerTimeline {
  readonly #views = new Map<ActorRefLike, ContainerView>();
  readonly #listeners = new Set<(change: TimelineChange) => void>();

  constructor(hub: InspectionHub) {
    hub.subscribe((e) => this.#observe(e));
  }

  /** The active state nodes of a state value; one frozen copy per distinct value, shared by every container in it. */
  readonly #active = new Map<string, { state: string; active: readonly string[] }>();

  #nodes(value: unknown): { state: string; active: readonly string[] } {
    const found = paths(value);
    const key = found.join(' ');
    let nodes = this.#active.get(key);
    if (!nodes) this.#active.set(key, (nodes = { state: found.at(-1)!, active: Object.freeze(found.map((p) => `container.${p}`)) }));
    return nodes;
  }

  containers(): ContainerView[] {
    return [...this.#views.values()];
  }

  subscribe(listener: (change: TimelineChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #observe(e: InspectionEvent): void {
    if (e.type !== '@xstate.snapshot' || !isContainer(e.actorRef)) return;
    const snapshot = e.snapshot as ContainerSnapshot;
    if (snapshot.status !== 'active') {
      if (this.#views.delete(e.actorRef)) this.#emit({ type: 'gone', id: snapshot.context.id });
      return;
    }
    const { state, active } = this.#nodes(snapshot.value);
    const before = this.#views.get(e.actorRef);
    const transitions = before?.transitions ?? [];
    if (!before || before.state !== state) {
      transitions.unshift({ at: new Date().toISOString(), event: e.event.type, from: before?.state ?? '', to: state });
      transitions.length = Math.min(transitions.length, KEEP);
    }
    const view: ContainerView = {
      id: snapshot.context.id,
      name: snapshot.context.name.replace(/^\//, ''),
      status: dockerStatus(snapshot),
      state,
      active,
      transitions,
    };
    this.#views.set(e.actorRef, view);
    if (!before || before.state !== state || before.name !== view.name) this.#emit({ type: 'update', container: view });
  }

  #emit(change: TimelineChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
