// Each container actor's current state and its recent transitions, kept from the inspection
// events, for the /ui page. Cheap enough to run always: it reads the snapshots the actors
// already made, and keeps one summary and a short history per container.
import type { ActorRefLike, InspectionEvent } from 'xstate';
import { dockerStatus } from '../../machines/container';
import type { ContainerSnapshot } from '../daemon/daemon';
import type { InspectionHub } from '../inspect/hub';
import { causeOf, triggerOf, type Cause } from './cause';

export interface Transition {
  /** ISO time the container got there. */
  at: string;
  /** The event's type, as the chart saw it. */
  event: string;
  /** What lay behind the event: the request, cloud call, agent message or timer. */
  cause: Cause;
  /** The event as the diagram's edge labels name it (`START`, `done: runJob`, `after cloudRetryDelay`). */
  trigger: string;
  from: string;
  to: string;
  /** Failed calls of the cloud operation under way when it happened (0: none). */
  attempts: number;
}

/** One row of the page's list: what a person scans for. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  /** `key=value` of each label, for the search. */
  labels: string[];
  status: string;
  /** The state value as a dotted path, e.g. `running.up`. */
  state: string;
  /** Ids of every active state node (`container.running`, `container.running.up`). */
  active: readonly string[];
  /** ISO time of the last transition. */
  since: string;
  exitCode: number;
  /** Docker's `State.Error`. */
  error: string;
  agentConnected: boolean;
  restartCount: number;
}

/** A summary with its history, newest first: what the page shows of the selected container. */
export interface ContainerView extends ContainerSummary {
  transitions: Transition[];
}

export type TimelineChange = { type: 'update'; container: ContainerView } | { type: 'gone'; id: string };

const KEEP = 30;
const RESTORED: Cause = Object.freeze({ source: 'daemon', text: 'restored from the store at daemon start' });

/** `{ running: 'up' }` → ['running', 'running.up']. */
function paths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [prefix + k, ...paths(v, `${prefix}${k}.`)]);
}

const isContainer = (ref: ActorRefLike) => (ref as { logic?: { id?: string } }).logic?.id === 'container';

/** The page's list entry of a view (the history stays on the server until asked for). */
export function summaryOf(view: ContainerView): ContainerSummary {
  const { transitions: _, ...summary } = view;
  return summary;
}

const NO_LABELS: string[] = [];
const labelsOf = (labels: Record<string, string> | undefined) => {
  const entries = Object.entries(labels ?? {});
  return entries.length === 0 ? NO_LABELS : entries.map(([k, v]) => `${k}=${v}`);
};

export class ContainerTimeline {
  readonly #views = new Map<ActorRefLike, ContainerView>();
  readonly #byId = new Map<string, ContainerView>();
  /** Each container's invoked actors (id → logic name) in its last snapshot, to name a finished cloud call. */
  readonly #calls = new Map<ActorRefLike, Map<string, string>>();
  readonly #listeners = new Set<(change: TimelineChange) => void>();
  readonly #startedAt = Date.now();

  constructor(hub: InspectionHub) {
    hub.subscribe((e) => this.#observe(e));
  }

  /** The active state nodes of a state value; one frozen copy per distinct value, shared by every container in it. */
  readonly #active = new Map<string, { state: string; active: readonly string[] }>();

  #nodes(value: unknown): { state: string; active: readonly string[] } {
    const found = paths(value);
    const key = found.join(' ');
    let nodes = this.#active.get(key);
    // The health probes' own region (waiting ↔ probing every interval) is not a move of the container.
    const state = found.filter((p) => !p.includes('.probe')).at(-1)!;
    if (!nodes) this.#active.set(key, (nodes = { state, active: Object.freeze(found.map((p) => `container.${p}`)) }));
    return nodes;
  }

  containers(): ContainerView[] {
    return [...this.#views.values()];
  }

  /** A container by its full id. */
  get(id: string): ContainerView | undefined {
    return this.#byId.get(id);
  }

  subscribe(listener: (change: TimelineChange) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #observe(e: InspectionEvent): void {
    if (e.type !== '@xstate.snapshot' || !isContainer(e.actorRef)) return;
    const snapshot = e.snapshot as ContainerSnapshot;
    if (snapshot.status !== 'active') {
      this.#calls.delete(e.actorRef);
      const gone = this.#views.get(e.actorRef);
      if (gone) {
        this.#views.delete(e.actorRef);
        this.#byId.delete(gone.id);
        this.#emit({ type: 'gone', id: gone.id });
      }
      return;
    }
    const ctx = snapshot.context;
    const { state, active } = this.#nodes(snapshot.value);
    const before = this.#views.get(e.actorRef);
    const transitions = before?.transitions ?? [];
    const moved = !before || before.state !== state;
    if (moved) {
      const calls = this.#calls.get(e.actorRef);
      // A container made before this daemon started was restored from the store, not created now.
      const restored = !before && e.event.type === 'xstate.init' && Date.parse(ctx.created) < this.#startedAt;
      const callOf = (invokeId: string) => calls?.get(invokeId);
      const cause = restored ? RESTORED : causeOf(e.event, callOf);
      const trigger = triggerOf(e.event, callOf);
      transitions.unshift({ at: new Date().toISOString(), event: e.event.type, cause, trigger, from: before?.state ?? '', to: state, attempts: ctx.cloudAttempts });
      transitions.length = Math.min(transitions.length, KEEP);
    }
    this.#rememberCalls(e.actorRef, snapshot);
    const view: ContainerView = {
      id: ctx.id,
      name: ctx.name.replace(/^\//, ''),
      image: ctx.config.Image,
      labels: before && before.id === ctx.id ? before.labels : labelsOf(ctx.config.Labels),
      status: dockerStatus(snapshot),
      state,
      active,
      since: moved ? transitions[0]!.at : before.since,
      exitCode: ctx.exitCode,
      error: ctx.error,
      agentConnected: ctx.agentConnected,
      restartCount: ctx.restartCount,
      transitions,
    };
    this.#views.set(e.actorRef, view);
    this.#byId.set(view.id, view);
    if (moved || !sameSummary(before, view)) this.#emit({ type: 'update', container: view });
  }

  #rememberCalls(ref: ActorRefLike, snapshot: ContainerSnapshot): void {
    const children = Object.entries(snapshot.children as Record<string, { src?: unknown } | undefined>);
    if (children.length === 0) return void this.#calls.delete(ref);
    const calls = new Map<string, string>();
    for (const [id, child] of children) if (typeof child?.src === 'string') calls.set(id, child.src);
    this.#calls.set(ref, calls);
  }

  #emit(change: TimelineChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}

function sameSummary(a: ContainerView, b: ContainerView): boolean {
  return a.name === b.name && a.status === b.status && a.exitCode === b.exitCode && a.error === b.error
    && a.agentConnected === b.agentConnected && a.restartCount === b.restartCount && a.image === b.image;
}
