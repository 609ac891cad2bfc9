import { createActor, fromPromise, type ActorRefFrom, type InspectionEvent, type SnapshotFrom } from 'xstate';
import { containerMachine, type ContainerEvent, type ContainerInput, type Reply } from '../../machines/container';
import { daemonMachine } from '../../machines/daemon';
import type { Cloud } from '../aca/cloud';
import { Attachments } from './attachments';
import { EventBus } from './events';
import { jobSpecFor, type ImageRef, type JobDefaults } from './job-spec';
import { Requests } from './requests';

export type ContainerRef = ActorRefFrom<typeof containerMachine>;
export type ContainerSnapshot = SnapshotFrom<typeof containerMachine>;

export interface DaemonDeps {
  cloud: Cloud;
  /** The image a container was created from, as ACA should pull it. */
  image(imageId: string, asGiven: string): ImageRef;
  jobDefaults: JobDefaults;
  events?: EventBus;
  /** Receives every actor event (Stately inspector protocol). */
  inspect?: (event: InspectionEvent) => void;
}

type Request<E> = E extends { rid: string } ? Omit<E, 'rid'> : never;
export type ContainerRequest = Request<ContainerEvent>;

/** The running actor system, and the one place routes go through to reach a container actor. */
export class Daemon {
  readonly events: EventBus;
  readonly requests = new Requests();
  readonly attachments = new Attachments();
  readonly root;

  constructor(private readonly deps: DaemonDeps) {
    this.events = deps.events ?? new EventBus();
    const { cloud } = deps;
    const container = containerMachine.provide({
      actors: {
        runJob: fromPromise(({ input, signal }) =>
          cloud.runJob(jobSpecFor(input, deps.image(input.imageId, input.config.Image), deps.jobDefaults), signal)),
        waitForEnd: fromPromise(({ input, signal }) => cloud.waitForEnd(input, signal)),
        stopExecution: fromPromise(({ input, signal }) => cloud.stopExecution(input.execution, signal)),
        deleteJob: fromPromise(({ input, signal }) => cloud.deleteJob(input.jobName, signal)),
      },
      actions: {
        reply: (_, reply) => this.requests.settle(reply),
        announce: ({ context }, { action, attributes }) =>
          this.events.publish('container', action, context.id, {
            ...context.config.Labels,
            image: context.config.Image,
            name: context.name.slice(1),
            ...attributes,
          }),
      },
    });
    const machine = daemonMachine.provide({
      actors: { container },
      actions: { reply: (_, reply) => this.requests.settle(reply) },
    });
    this.root = createActor(machine, { inspect: deps.inspect }).start();
  }

  create(input: ContainerInput): Promise<Reply> {
    const { rid, answer } = this.requests.open();
    this.root.send({ type: 'CREATE', rid, input });
    return answer;
  }

  rename(id: string, name: string): Promise<Reply> {
    const { rid, answer } = this.requests.open();
    this.root.send({ type: 'RENAME', rid, id, name });
    return answer;
  }

  /** Sends a request to a container and resolves with the chart's answer. */
  ask(ref: ContainerRef, event: ContainerRequest, opts?: { signal?: AbortSignal }): Promise<Reply> {
    const { rid, answer } = this.requests.open();
    const signal = opts?.signal;
    if (signal) {
      const onAbort = () => {
        this.requests.drop(rid);
        if (event.type === 'WAIT' && ref.getSnapshot().status === 'active') ref.send({ type: 'UNWAIT', rid });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void answer.then(() => signal.removeEventListener('abort', onAbort));
    }
    ref.send({ ...event, rid } as ContainerEvent);
    return answer;
  }

  nameTaken = (name: string): boolean => Object.hasOwn(this.root.getSnapshot().context.names, name);

  /** Docker's lookup order: full id, exact name, then a unique id prefix. */
  find(ref: string): ContainerRef | 'ambiguous' | undefined {
    const children = this.root.getSnapshot().children as Record<string, ContainerRef | undefined>;
    const live = (c: ContainerRef | undefined) => (c && c.getSnapshot().status === 'active' ? c : undefined);
    // Own keys only: a ref such as `constructor` or `__proto__` must not reach Object.prototype.
    const byId = live(Object.hasOwn(children, ref) ? children[ref] : undefined);
    if (byId) return byId;
    const names = this.root.getSnapshot().context.names;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    const id = Object.hasOwn(names, name) ? names[name] : undefined;
    if (id) return live(children[id]);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = Object.keys(children).filter((k) => k.startsWith(ref) && live(children[k]));
    if (matches.length > 1) return 'ambiguous';
    return matches.length ? children[matches[0]!] : undefined;
  }

  containers(): ContainerRef[] {
    const children = this.root.getSnapshot().children as Record<string, ContainerRef | undefined>;
    return Object.values(children).filter((c): c is ContainerRef => !!c && c.getSnapshot().status === 'active');
  }

  stop(): void {
    this.root.stop();
  }
}
