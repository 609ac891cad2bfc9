import { createActor, fromPromise, type ActorRefFrom, type InspectionEvent, type Snapshot, type SnapshotFrom } from 'xstate';
import { AGENT_WAIT_MS, cloudRetryDelayMs, type containerMachine, OWN_JOB_KIND, withClock, type ContainerContext, type ContainerEvent, type ContainerInput, type ExecutionOutcome, type ExecutionRef, type Reply, type WatchInput } from '../../machines/container';
import { daemonMachine } from '../../machines/daemon';
import type { Cloud, JobSpec, JobVolume } from '../aca/cloud';
import { MAIN_SESSION } from '../agent/protocol';
import { Agents } from './agent/agents';
import { withAgent, type AgentLaunch } from './agent/launch';
import { AGENT_KEY_ENV, deriveAgentToken, newNonce, withSharedAgentKey } from './agent/shared-token';
import { AGENT_KEY_SECRET, type SharedJobs } from './shared-jobs';
import { Attachments } from './attachments';
import type { ChartClock } from './chart-clock';
import { EventBus } from './events';
import { ExecStore } from './exec-store';
import { carryRefusedEnv, isAzureEnvName } from './env-names';
import { runProbe } from './health-probe';
import { jobSpecFor, withContainerIdentity, type ImageRef, type JobDefaults } from './job-spec';
import type { LifecycleTimeouts } from './lifecycle-timeouts';
import { mergeAccess, type RegistryCredentials } from './registry-auth';
import type { SecretEnv } from './secrets';
import { Requests } from './requests';
import { planBindings, type PortRequestFields } from './ports/bindings';
import { PublishedPorts } from './ports/published';
import type { Peers } from './peers';

export type ContainerRef = ActorRefFrom<typeof containerMachine>;
export type ContainerSnapshot = SnapshotFrom<typeof containerMachine>;

export interface DaemonDeps {
  cloud: Cloud;
  /** The image a container was created from, as ACA should pull it. */
  image(imageId: string, asGiven: string): ImageRef;
  jobDefaults: JobDefaults;
  /** Env secrets and registry credentials; without them every value goes to the job in plain. */
  access?: { secretEnv: SecretEnv; registries: RegistryCredentials };
  events?: EventBus;
  /** Receives every actor event (Stately inspector protocol). */
  inspect?: (event: InspectionEvent) => void;
  agent: AgentSettings;
  /** The root actor's snapshot rebuilt from the store: every container actor comes back from it. */
  snapshot?: Snapshot<unknown>;
  /**
   * For a container restored while `starting`: finds the execution its interrupted start may
   * already have begun (runJob is re-invoked on restore), so it is adopted instead of doubled.
   */
  resumeStart?: (containerId: string) => ((signal: AbortSignal) => Promise<ExecutionRef | undefined>) | undefined;
  /** The chart's clocks for cloud operations; its own defaults when unset. */
  timeouts?: LifecycleTimeouts;
  /** Job reuse (SOCKERLESS_JOB_REUSE): containers of one shape share a job; unset, each has its own. */
  sharedJobs?: SharedJobs;
  /** The container's volumes as the job mounts them (shares made and registered on first use). */
  volumes?: (containerId: string) => Promise<JobVolume[]>;
  /** The charts' clock (their timers and timestamps); the real one (xstate's timers, Date.now) when unset. */
  clock?: ChartClock;
}

export interface AgentSettings {
  launch: AgentLaunch;
  /** Where agents dial back (`ws://…/agent`); known once the daemon listens. */
  callbackUrl: () => string | undefined;
  heartbeatMs: number;
  agentWaitMs: number;
  liveLogBytes: number;
  /** SOCKERLESS_AGENT_CA: a PEM the agent trusts for a wss:// callback beside Node's own roots. */
  ca?: string;
  /** SOCKERLESS_PUBLISH_HOST_IP: where a published port listens when the request names no address (dockerd: 0.0.0.0). */
  publishHostIp?: string;
  debug?: (fields: object, message: string) => void;
}

type Request<E> = E extends { rid: string } ? Omit<E, 'rid'> : never;
export type ContainerRequest = Request<ContainerEvent>;

/** The running actor system, and the one place routes go through to reach a container actor. */
export class Daemon {
  readonly events: EventBus;
  readonly requests = new Requests();
  readonly attachments = new Attachments();
  readonly agents: Agents;
  readonly ports: PublishedPorts;
  readonly execs = new ExecStore();
  /** The CPU and memory of each container's current job (stats measure memory against it). */
  readonly jobResources = new Map<string, { cpu: number; memory: string }>();
  readonly root;
  /** The container's networks as the chart starts and ends its runs (network events). */
  networks: { join(containerId: string): void; leave(containerId: string): void } | undefined;
  /** Container names between containers of a user network, through their agents (set once the networks exist). */
  peers: Peers | undefined;
  /** The mount points of a container's volumes, which the agent creates where nothing is mounted. */
  mountPoints: (containerId: string) => string[] = () => [];

  constructor(private readonly deps: DaemonDeps) {
    this.events = deps.events ?? new EventBus();
    const { cloud } = deps;
    this.agents = new Agents({
      ...deps.agent,
      notify: (id, event) => {
        if (event.type === 'AGENT_CONNECTED') this.peers?.connected(id);
        const ref = this.find(id);
        if (ref && ref !== 'ambiguous') ref.send(event);
      },
      peer: (id, msg) => this.peers?.message(id, msg),
    });
    this.ports = new PublishedPorts({
      link: (id) => this.agents.link(id),
      agentWaitMs: deps.agent.agentWaitMs,
      warn: deps.agent.debug,
    });
    const timeouts = deps.timeouts;
    const clock = deps.clock;
    const container = withClock(clock ? () => clock.now() : Date.now).provide({
      ...(timeouts && {
        delays: {
          operationTimeout: timeouts.operationMs,
          scheduleTimeout: timeouts.scheduleMs,
          // The launch must be known (or given up) before an execution counts as never started.
          agentWait: Math.min(AGENT_WAIT_MS, timeouts.scheduleMs / 2),
          cloudRetryDelay: ({ context }) => cloudRetryDelayMs(context.cloudAttempts, timeouts.cloudRetryMs),
        },
      }),
      actors: {
        runJob: fromPromise(async ({ input, signal }) => {
          if (this.agentRuns()) await this.ports.open(input.id, this.portBindings(input).bindings);
          try {
            const adopted = await this.deps.resumeStart?.(input.id)?.(signal);
            if (adopted) return adopted;
            const volumes = (await this.deps.volumes?.(input.id)) ?? [];
            signal.throwIfAborted();
            const spec = { ...this.#jobSpec(input), ...(volumes.length && { volumes }) };
            const execution = await cloud.runJob(spec, signal);
            return { ...execution, agent: spec.env.some((e) => e.name === 'SOCKERLESS_AGENT_TOKEN') };
          } catch (err) {
            this.ports.close(input.id);
            throw err;
          }
        }),
        waitForEnd: fromPromise(({ input, signal }) => this.#waitForEnd(input, signal)),
        stopExecution: fromPromise(({ input, signal }) => cloud.stopExecution(input.execution, signal)),
        deleteJob: fromPromise(({ input, signal }) => cloud.deleteJob(input.jobName, signal)),
        probeHealth: fromPromise(({ input, signal }) => runProbe(this.agents, input, signal)),
        // As runJob, on the shape's shared job: published ports are the agent's, per container, so they open the same way.
        startOnSharedJob: fromPromise(async ({ input, signal }) => {
          if (this.agentRuns()) await this.ports.open(input.id, this.portBindings(input).bindings);
          try {
            const adopted = await this.deps.resumeStart?.(input.id)?.(signal);
            if (adopted) return adopted;
            const volumes = (await this.deps.volumes?.(input.id)) ?? [];
            // Volumes are job-level (an execution template carries no mounts): the chart starts it on a job of its own.
            if (volumes.length) throw Object.assign(new Error(`container ${input.id.slice(0, 12)} has volumes, which a shared job's executions cannot mount`), { kind: OWN_JOB_KIND });
            signal.throwIfAborted();
            const { spec, shape } = this.#sharedJobSpec(input);
            const execution = await this.deps.sharedJobs!.start(shape, spec, signal);
            return { ...execution, agent: spec.env.some((e) => e.name === AGENT_KEY_ENV) };
          } catch (err) {
            this.ports.close(input.id);
            throw err;
          }
        }),
      },
      guards: {
        reusesJob: ({ context }) => this.#shape(context) !== undefined,
        agentLaunches: () => this.agentRuns(),
      },
      actions: {
        reply: (_, reply) => this.requests.settle(reply),
        joinNetworks: ({ context }) => this.networks?.join(context.id),
        leaveNetworks: ({ context }) => this.networks?.leave(context.id),
        signalProcess: ({ context }, { signal }) => this.agents.link(context.id)?.signal(MAIN_SESSION, signal),
        startWithoutAgent: ({ context }) => this.agents.startWithoutAgent(context.id),
        endAgentLink: ({ context }) => {
          this.agents.ended(context.id);
          this.ports.close(context.id);
        },
        releaseContainer: ({ context }) => {
          this.jobResources.delete(context.id);
          this.agents.forget(context.id);
          this.ports.forget(context.id);
          this.peers?.forget(context.id);
          this.execs.forgetContainer(context.id);
        },
        announce: ({ context }, { action, attributes }) => this.publish(context, action, attributes),
      },
    });
    const machine = daemonMachine.provide({
      actors: { container },
      actions: { reply: (_, reply) => this.requests.settle(reply) },
    });
    this.root = createActor(machine, { inspect: deps.inspect, snapshot: deps.snapshot, ...(clock && { clock }) }).start();
  }

  /**
   * The end of an execution. While its agent is connected the agent reports the end itself (and
   * the connection drops if the replica dies), so ACA is polled only while no agent is connected.
   */
  async #waitForEnd({ containerId, ...execution }: WatchInput, signal: AbortSignal): Promise<ExecutionOutcome> {
    const { cloud } = this.deps;
    // Without an agent, ACA's Running is the only sign that the execution began (the chart gives
    // up on one that stays pending).
    const onRunning = () => {
      const ref = this.find(containerId);
      if (ref && ref !== 'ambiguous') ref.send({ type: 'EXECUTION_RUNNING' });
    };
    for (;;) {
      const link = execution.agent ? this.agents.link(containerId) : undefined;
      if (!link || link.closed) return cloud.waitForEnd(execution, signal, onRunning);
      await link.until(false, signal);
      signal.throwIfAborted();
      if (link.closed) continue;
      const stop = new AbortController();
      const polling = cloud.waitForEnd(execution, AbortSignal.any([signal, stop.signal]));
      const reconnected = link.until(true, stop.signal).then(() => undefined);
      try {
        const end = await Promise.race([polling, reconnected]);
        if (end) return end;
      } finally {
        stop.abort();
        polling.catch(() => {});
      }
      signal.throwIfAborted();
    }
  }

  /** The container's job shape when reuse is on and its settings can share a job. */
  #shape(ctx: ContainerContext): string | undefined {
    const shared = this.deps.sharedJobs;
    // The image launch injects the agent through an EmptyDir volume, which a shared job's executions could not mount.
    if (!shared || this.deps.agent.launch.kind === 'image') return undefined;
    // Docker volumes become job-level volumes and mounts an execution template cannot carry.
    if (hasMounts(ctx)) return undefined;
    const base = this.#baseSpec(ctx);
    // Names ACA refuses travel to the agent in a per-container secret, which ACA keeps on the job.
    if (base.env.some((e) => !isAzureEnvName(e.name))) return undefined;
    const found = shared.shapeOf(base);
    return 'shape' in found ? found.shape : undefined;
  }

  #baseSpec(ctx: ContainerContext): JobSpec {
    const image = this.deps.image(ctx.imageId, ctx.config.Image);
    const access = this.deps.access;
    return jobSpecFor(ctx, image, this.deps.jobDefaults, access && { secretEnv: access.secretEnv, registry: access.registries.access(ctx.id, image.reference) });
  }

  /** The spec of a start on the shape's shared job: its name, and the agent keyed by the job with a fresh nonce. */
  #sharedJobSpec(ctx: ContainerContext): { spec: JobSpec; shape: string } {
    const shared = this.deps.sharedJobs!;
    const base = this.#baseSpec(ctx);
    const found = shared.shapeOf(base);
    if (!('shape' in found)) throw new Error(`container ${ctx.id.slice(0, 12)} cannot run on a shared job: ${found.reason}`);
    const { jobName, agentKey } = shared.entry(found.shape);
    // The container's id and name in its execution's template: the only place ACA's execution API
    // lets the daemon name the container, which restore adopts by (SOCKERLESS_CONTAINER_ID).
    const named = withContainerIdentity({ ...base, jobName }, ctx.id, ctx.name.replace(/^\//, ''));
    this.jobResources.set(ctx.id, { cpu: base.cpu, memory: base.memory });
    const { launch, callbackUrl, ca } = this.deps.agent;
    const url = callbackUrl();
    // The chart's `agentLaunches` made the choice (and `startWithoutAgent` ran): no agent, no wrapper.
    if (launch.kind === 'off' || !url) return { spec: named, shape: found.shape };
    const nonce = newNonce();
    const token = this.agents.prepare(ctx.id, deriveAgentToken(agentKey, ctx.id, nonce));
    const argv = [...(ctx.config.Entrypoint ?? []), ...(ctx.config.Cmd ?? [])];
    const withAgentSpec = withAgent(named, argv, {
      launch, callbackUrl: url, containerId: ctx.id, token,
      workdir: ctx.config.WorkingDir, stdin: ctx.config.OpenStdin, tty: ctx.config.Tty, ...(ca && { ca }),
      user: ctx.config.User, init: ctx.hostConfig.Init === true, hostname: ctx.config.Hostname || ctx.id.slice(0, 12),
      mountPoints: this.mountPoints(ctx.id), peers: this.peers?.envFor(ctx.id), dockerSocket: this.peers?.dockerSocketFor(ctx.id),
    });
    return { spec: withSharedAgentKey(withAgentSpec, AGENT_KEY_SECRET, agentKey, nonce), shape: found.shape };
  }

  /** The job for a container's next execution, with the agent (and a freshly minted token) when there is one. */
  #jobSpec(ctx: ContainerContext): JobSpec {
    const image = this.deps.image(ctx.imageId, ctx.config.Image);
    const access = this.deps.access;
    const { launch, callbackUrl, ca } = this.deps.agent;
    let registry = access?.registries.access(ctx.id, image.reference);
    // A private agent image needs its registry in the job too, or the init container cannot pull it.
    if (access && registry && launch.kind === 'image' && callbackUrl()) registry = mergeAccess(registry, access.registries.daemonImageAccess(launch.image));
    const spec = jobSpecFor(ctx, image, this.deps.jobDefaults, access && { secretEnv: access.secretEnv, registry });
    this.jobResources.set(ctx.id, { cpu: spec.cpu, memory: spec.memory });
    const url = callbackUrl();
    // The chart's `agentLaunches` made the choice (and `startWithoutAgent` ran): no agent, no wrapper.
    if (launch.kind === 'off' || !url) return spec;
    const argv = [...(ctx.config.Entrypoint ?? []), ...(ctx.config.Cmd ?? [])];
    // Names ACA refuses travel to the agent, which sets them for the user's process.
    return carryRefusedEnv(withAgent(spec, argv, {
      launch, callbackUrl: url, containerId: ctx.id, token: this.agents.prepare(ctx.id),
      workdir: ctx.config.WorkingDir, stdin: ctx.config.OpenStdin, tty: ctx.config.Tty, ...(ca && { ca }),
      user: ctx.config.User, init: ctx.hostConfig.Init === true, hostname: ctx.config.Hostname || ctx.id.slice(0, 12),
      mountPoints: this.mountPoints(ctx.id), peers: this.peers?.envFor(ctx.id), dockerSocket: this.peers?.dockerSocketFor(ctx.id),
    }));
  }

  /** The listeners a container's start opens for its published ports. */
  portBindings(ctx: Pick<ContainerContext, 'config' | 'hostConfig'>): ReturnType<typeof planBindings> {
    const hc = ctx.hostConfig as { PortBindings?: PortRequestFields['PortBindings']; PublishAllPorts?: unknown };
    return planBindings(
      { ExposedPorts: ctx.config.ExposedPorts, PortBindings: hc.PortBindings ?? null, PublishAllPorts: hc.PublishAllPorts === true },
      this.deps.agent.publishHostIp ?? '0.0.0.0',
    );
  }

  /** Publishes a container event with Docker's attributes (labels, image, name). */
  publish(context: Pick<ContainerContext, 'id' | 'name' | 'config'>, action: string, attributes?: Record<string, string>): void {
    this.events.publish('container', action, context.id, {
      ...context.config.Labels,
      image: context.config.Image,
      name: context.name.slice(1),
      ...attributes,
    });
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

  /** Whether the next start of a container will run the agent (the only carrier of variables ACA refuses). */
  agentRuns(): boolean {
    return this.deps.agent.launch.kind !== 'off' && !!this.deps.agent.callbackUrl();
  }

  stop(): void {
    this.root.stop();
  }
}

/** Binds, mounts or image/anonymous volumes: anything that would make job-level volumes. */
function hasMounts(ctx: ContainerContext): boolean {
  const host = ctx.hostConfig as { Binds?: unknown[] | null; Mounts?: unknown[] | null };
  const volumes = (ctx.config as { Volumes?: Record<string, unknown> | null }).Volumes;
  return !!host.Binds?.length || !!host.Mounts?.length || (!!volumes && Object.keys(volumes).length > 0);
}
