import { statusOfOutcome } from '../../src/api/errors';
// The container machine on in-memory doubles whose every invoked call ends when the path says.
import { createActor, fromPromise, type AnyStateMachine, type EventObject } from 'xstate';
import { dockerStatus, withClock, type ContainerInput, type Reply } from '../../machines/container';
import type { ContainerSnapshot } from '../../src/daemon/daemon';
import { ActorWatch, until, type Answer, type Driver, type SeenState } from './driver';
import type { InvokeInfo } from './events';
import { ManualClock } from '../helpers/manual-clock';

interface Pending {
  src: string;
  resolve(output: unknown): void;
  reject(error: unknown): void;
}

export class PureDriver implements Driver {
  readonly name = 'pure';
  readonly watch = new ActorWatch();
  readonly #input: ContainerInput;
  readonly #calls: Pending[] = [];
  readonly #replies = new Map<string, (r: Answer) => void>();
  readonly #events: string[] = [];
  readonly #wakers = new Set<() => void>();
  /** The chart's timers and timestamps: a timer fires when the path says. */
  readonly #clock = new ManualClock();
  #actor: ReturnType<typeof createActor<AnyStateMachine>> | undefined;
  #rids = 0;
  readonly #waits = new Set<string>();

  readonly #reusesJob: boolean;

  /** `reusesJob`: the container runs on a shared job (the daemon's guard with reuse on). */
  constructor(input: ContainerInput, opts: { reusesJob?: boolean } = {}) {
    this.#input = input;
    this.#reusesJob = opts.reusesJob ?? false;
  }

  async create(): Promise<void> {
    const call = (src: string) =>
      fromPromise<unknown, unknown>(({ signal }) =>
        new Promise((resolve, reject) => {
          const pending: Pending = { src, resolve, reject };
          this.#calls.push(pending);
          signal.addEventListener('abort', () => this.#calls.splice(this.#calls.indexOf(pending) >>> 0, 1), { once: true });
        }),
      );
    const machine = withClock(() => this.#clock.now()).provide({
      actors: {
        runJob: call('runJob') as never,
        waitForEnd: call('waitForEnd') as never,
        stopExecution: call('stopExecution') as never,
        deleteJob: call('deleteJob') as never,
        startOnSharedJob: call('startOnSharedJob') as never,
        probeHealth: call('probeHealth') as never,
      },
      guards: { reusesJob: () => this.#reusesJob },
      actions: {
        reply: (_, r: Reply) => {
          this.#replies.get(r.rid)?.({ status: statusOfOutcome(r.outcome), body: r.body });
          this.#replies.delete(r.rid);
        },
        announce: (_, a) => {
          const detail = a.action === 'kill' ? a.attributes?.signal : a.action === 'die' ? a.attributes?.exitCode : undefined;
          this.#events.push(detail === undefined ? a.action : `${a.action}:${detail}`);
          for (const wake of this.#wakers) wake();
        },
      },
    }) as unknown as AnyStateMachine;
    this.#actor = createActor(machine, { input: this.#input, inspect: this.watch.observe, clock: this.#clock });
    this.watch.ref = this.#actor;
    this.#actor.start();
  }

  request(event: EventObject): Promise<Answer> {
    if (event.type === 'RENAME') {
      // The root actor answers a rename; the container only takes the new name.
      this.#actor!.send(event);
      return Promise.resolve({ status: 204 });
    }
    if (event.type === 'UNWAIT') {
      // A client that stopped waiting; with none waiting, the chart still takes the event.
      for (const rid of this.#waits.size ? this.#waits : ['none']) this.#actor!.send({ type: 'UNWAIT', rid });
      this.#waits.clear();
      return new Promise<Answer>(() => {});
    }
    const rid = `p${++this.#rids}`;
    if (event.type === 'WAIT') this.#waits.add(rid);
    return new Promise<Answer>((resolve) => {
      this.#replies.set(rid, (a) => (this.#waits.delete(rid), resolve(a)));
      this.#actor!.send({ ...event, rid });
    });
  }

  async outcome(invoke: InvokeInfo, event: EventObject): Promise<void> {
    const call = this.#calls.find((c) => c.src === invoke.src);
    if (!call) throw new Error(`no ${invoke.src} call is outstanding`);
    this.#calls.splice(this.#calls.indexOf(call), 1);
    if (event.type.startsWith('xstate.done.')) call.resolve((event as { output?: unknown }).output);
    else call.reject((event as { error?: unknown }).error);
  }

  async environment(kind: 'timer' | 'other', event: EventObject): Promise<void> {
    // The earliest-due timer is the path's (as on the daemon: the schedule timeout is far the longest).
    if (kind !== 'timer') return void this.#actor!.send(event);
    const seen = this.watch.received(event.type);
    while (this.watch.received(event.type) === seen) if (!this.#clock.fireNext()) throw new Error(`no timer is pending for ${event.type}`);
  }

  async inspect(): Promise<SeenState | 'gone'> {
    const snapshot = this.#actor!.getSnapshot() as ContainerSnapshot;
    if (snapshot.status !== 'active') return 'gone';
    const status = dockerStatus(snapshot);
    const { exitCode, startedAt, finishedAt, restartCount } = snapshot.context;
    return {
      Status: status, Running: status === 'running', Restarting: status === 'restarting', Dead: status === 'dead',
      ExitCode: exitCode, StartedAt: startedAt, FinishedAt: finishedAt, RestartCount: restartCount,
    };
  }

  events(): string[] {
    return this.#events;
  }

  untilEvents(count: number): Promise<void> {
    return until(() => this.#events.length >= count, this.#wakers, () => `expected ${count} events, saw ${JSON.stringify(this.#events)}`);
  }

  async cleanup(): Promise<void> {
    this.#actor?.stop();
  }
}
