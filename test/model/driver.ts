// What the path runner needs from a system under test: the pure machine on doubles, or the
// real daemon on the embedded simulator.
import { waitFor, type AnyActorRef, type AnyMachineSnapshot, type EventObject, type InspectionEvent } from 'xstate';
import type { InvokeInfo } from './events';
import { serialize } from './plan';
import { keyOf } from './transitions';

export interface Answer {
  status: number;
  body?: unknown;
}

/** The parts of `docker inspect`'s State the rules speak about; `gone` is a 404. */
export interface SeenState {
  Status: string;
  Running: boolean;
  Restarting: boolean;
  Dead: boolean;
  ExitCode: number;
  StartedAt: string;
  FinishedAt: string;
  /** Top-level in `docker inspect`, kept here with the state. */
  RestartCount: number;
}

export interface Driver {
  readonly name: 'daemon' | 'pure';
  /** The container actor, once created. */
  readonly watch: ActorWatch;
  create(): Promise<void>;
  /** Sends a Docker request; resolves with its answer whenever that comes. */
  request(event: EventObject): Promise<Answer>;
  /** Makes an invoked cloud call end as the event says. */
  outcome(invoke: InvokeInfo, event: EventObject): Promise<void>;
  /** A delayed transition's timer fires, or something else (the agent) sends the event. */
  environment(kind: 'timer' | 'other', event: EventObject): Promise<void>;
  inspect(): Promise<SeenState | 'gone'>;
  /** Docker events seen for this container so far, as `action` or `action:detail`. */
  events(): string[];
  /** Resolves once at least `count` events were seen (or rejects after a while). */
  untilEvents(count: number): Promise<void>;
  /** Whatever state the path left the container in: end it and remove it. */
  cleanup(): Promise<void>;
}

const WAIT_MS = 10_000;

/** Follows one container actor through inspection: events it received, transitions it took. */
export class ActorWatch {
  ref: AnyActorRef | undefined;
  readonly taken = new Set<string>();
  readonly #received = new Map<string, number>();
  readonly #wakers = new Set<() => void>();

  readonly observe = (e: InspectionEvent): void => {
    if (!this.ref || e.actorRef !== this.ref) return;
    if (e.type === '@xstate.event') this.#received.set(e.event.type, this.received(e.event.type) + 1);
    if (e.type === '@xstate.microstep') for (const t of e._transitions) this.taken.add(keyOf(t));
    for (const wake of this.#wakers) wake();
  };

  received(type: string): number {
    return this.#received.get(type) ?? 0;
  }

  /** Resolves once the actor has received more than `seen` events of `type`. */
  async untilReceived(type: string, seen: number): Promise<void> {
    await until(() => this.received(type) > seen, this.#wakers, () => `the container actor never received ${type}`);
  }

  /** Resolves once the actor's state serializes as the model's (or as `orElse`). */
  async untilState(expected: string, orElse?: string): Promise<AnyMachineSnapshot> {
    const ref = this.ref!;
    try {
      return await waitFor(ref, (s) => [expected, orElse].includes(serialize(s as AnyMachineSnapshot)), { timeout: WAIT_MS });
    } catch {
      throw new Error(`expected the model's state ${expected}\n  but the actor is in ${serialize(ref.getSnapshot() as AnyMachineSnapshot)}`);
    }
  }
}

/** Polls `ready` whenever a waker fires, failing after WAIT_MS with `why()`. */
export function until(ready: () => boolean, wakers: Set<() => void>, why: () => string): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (wakers.delete(wake), reject(new Error(why()))), WAIT_MS);
    const wake = () => {
      if (!ready()) return;
      clearTimeout(timer);
      wakers.delete(wake);
      resolve();
    };
    wakers.add(wake);
  });
}

/** Awaits `p` for at most WAIT_MS. */
export function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${WAIT_MS} ms`)), WAIT_MS))),
  ]);
}
