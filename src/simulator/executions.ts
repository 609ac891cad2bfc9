import { executionId, randomLowerAlnum } from './ids';
import type { ContainerSpec, ExecutionTemplate, Secret } from './job-schema';
import type { LogStore, LogStream } from './log-store';
import type { SimulatorSettings } from './options';
import type { Timing } from './profile/timing';
import type { ProcessEnd, ReplicaLauncher, ReplicaProcess } from './replica';
import type { RegistryAuth } from '../images/registry';
import type { ImageStore } from './images/image-store';
import { ReplicaRun } from './images/replica-run';
import type { EarlyEnd } from './images/replica-run';

/** The `KnownJobExecutionRunningState` values the simulator uses. */
export type ExecutionStatus = 'Processing' | 'Running' | 'Succeeded' | 'Failed' | 'Stopped';

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['Succeeded', 'Failed', 'Stopped']);

/** Why the simulator ended a process itself. */
type Interruption = 'stop' | 'deadline' | 'delete';

export interface ExecutionInput {
  jobName: string;
  /** `{job}-{7 random}` */
  name: string;
  /** The effective template (the job's, or the one posted to `start`), served back as is. */
  template: ExecutionTemplate & { containers: ContainerSpec[] };
  secrets: Secret[];
  replicaTimeoutSeconds: number;
  /** Why the replica cannot pull an image of the template (a private registry without credentials). */
  pullFailure?: string;
  /** Credentials from the job's `registries` entry for an image's registry. */
  registryAuth?: (image: string) => RegistryAuth | undefined;
}

export interface ExecutionServices {
  settings: SimulatorSettings;
  logs: LogStore;
  /** Runs each replica's main container: isolated where the host allows it. */
  launcher: ReplicaLauncher;
  /** The profile's delays (Processing, exit to terminal status). */
  timing: Timing;
  /** Isolated replicas run in their images' filesystems (see images/replica-run). */
  images?: { store: ImageStore; volumesDir: string; storage?: (storageName: string) => { source: string; readOnly: boolean } | { error: string } };
  /** Called after every status change. */
  changed: (execution: Execution) => void;
}

/**
 * The container env the replica gets: what a container runtime and ACA add (HOSTNAME, HOME,
 * CONTAINER_APP_*), then the template's variables, which win.
 */
export function containerEnv(input: ExecutionInput, replicaName: string, container: ContainerSpec, home: string): Record<string, string> {
  const env: Record<string, string> = {
    HOSTNAME: replicaName,
    HOME: home,
    CONTAINER_APP_JOB_NAME: input.jobName,
    CONTAINER_APP_JOB_EXECUTION_NAME: input.name,
    CONTAINER_APP_REPLICA_NAME: replicaName,
  };
  for (const variable of container.env ?? []) {
    if (variable.secretRef !== undefined) {
      env[variable.name] = input.secrets.find((s) => s.name === variable.secretRef)?.value ?? '';
    } else {
      env[variable.name] = variable.value ?? '';
    }
  }
  // A process needs a PATH to find its command; images always define one, the host stands in.
  if (env.PATH === undefined && process.env.PATH !== undefined) env.PATH = process.env.PATH;
  return env;
}

/** One job execution: one replica whose main container is a local process (see ReplicaLauncher). */
export class Execution {
  readonly name: string;
  readonly jobName: string;
  readonly replicaName: string;
  readonly startTime = new Date();
  status: ExecutionStatus = 'Processing';
  endTime: Date | undefined;
  exitCode: number | undefined;
  reason: string | undefined;
  message: string | undefined;

  #input: ExecutionInput;
  #services: ExecutionServices;
  #process: ReplicaProcess | ReplicaRun | undefined;
  /** How the process ended, while the status waits out the terminal lag. */
  #exited: ProcessEnd | EarlyEnd | undefined;
  #interruption: Interruption | undefined;
  /** detailedStatus' additionalInformation once ended (Kubernetes' terminated reason). */
  #containerInfo = '';
  #timers = new Set<NodeJS.Timeout>();
  #ended: Promise<void>;
  #markEnded!: () => void;

  constructor(input: ExecutionInput, services: ExecutionServices) {
    this.#input = input;
    this.#services = services;
    this.name = input.name;
    this.jobName = input.jobName;
    this.replicaName = `${input.name}-${randomLowerAlnum(5)}`;
    this.#ended = new Promise((resolve) => (this.#markEnded = resolve));
  }

  get container(): ContainerSpec {
    return this.#input.template.containers[0]!;
  }

  get terminal(): boolean {
    return TERMINAL_STATUSES.has(this.status);
  }

  /** Resolves once the execution reached a terminal status. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  /** Starts the replica after `delayMs` (realistic mode keeps it `Processing` meanwhile). */
  start(delayMs: number): void {
    this.#services.changed(this);
    if (delayMs === 0) this.#run();
    else this.#after(delayMs, () => this.#run());
  }

  /** The execution-stuck fault: stays Processing, its replica never launched, until stopped or its job deleted. */
  hold(): void {
    this.#services.changed(this);
  }

  /** The stop API: SIGTERM, SIGKILL after the grace period. Ended executions stay as they are. */
  stop(): void {
    this.#interrupt('stop', 'SIGTERM', this.#services.settings.stopGraceMs);
  }

  /** SIGKILL at once, for a deleted job or a closing simulator. */
  kill(): void {
    this.#interrupt('delete', 'SIGKILL', 0);
  }

  #interrupt(why: Interruption, signal: NodeJS.Signals, graceMs: number): void {
    if (this.terminal) return;
    // Exited, its status not yet terminal: a stop changes nothing, a kill ends the wait.
    if (this.#exited) {
      if (why === 'delete') this.#finish(this.#exited);
      return;
    }
    this.#interruption ??= why;
    if (!this.#process) {
      this.#finish(undefined);
      return;
    }
    this.#process.signal(signal);
    if (signal !== 'SIGKILL') this.#after(graceMs, () => this.#process?.signal('SIGKILL'));
  }

  #run(): void {
    if (this.terminal) return;
    if (this.#input.pullFailure !== undefined) {
      this.#failBeforeStart('ImagePullFailure', this.#input.pullFailure);
      return;
    }
    const images = this.#services.images;
    if (images) {
      const template = this.#input.template as { initContainers?: ContainerSpec[]; volumes?: { name: string; storageType?: string; storageName?: string }[] };
      this.#process = new ReplicaRun(
        {
          replicaName: this.replicaName,
          initContainers: template.initContainers ?? [],
          main: this.container,
          volumes: template.volumes ?? [],
          env: (container, home) => containerEnv(this.#input, this.replicaName, container, home),
          auth: (image) => this.#input.registryAuth?.(image),
          volumesDir: images.volumesDir,
          storage: images.storage,
          secrets: this.#input.secrets,
          onLine: (container, stream, line) => this.#log(stream, line, container),
        },
        this.#services.launcher,
        images.store,
      );
      // replicaTimeout bounds the whole replica: pulls and init containers too.
      this.#armDeadline();
      this.#whenRunning(this.#process);
      return;
    }
    const { command = [], args = [] } = this.container;
    const argv = [...command, ...args];
    if (argv.length === 0) {
      // Unisolated replicas run on the host, not in their image: there is no entrypoint or cmd to take.
      const message = 'no command specified: unisolated simulator replicas do not run their image, so the job needs command or args';
      this.#finish({ kind: 'spawnFailed', exitCode: 127, message });
      return;
    }
    this.#process = this.#services.launcher.launch(
      { replicaName: this.replicaName, argv, env: (home) => containerEnv(this.#input, this.replicaName, this.container, home) },
      (stream, line) => this.#log(stream, line),
    );
    this.#whenRunning(this.#process);
  }

  #whenRunning(process: ReplicaProcess | ReplicaRun): void {
    process.ended.then((end) => {
      // ACA reports the end only after its cleanup: Running meanwhile (the azure profile's lag).
      const lagMs = this.#services.timing.terminalLagMs();
      if (lagMs === 0) return this.#finish(end);
      this.#exited = end;
      this.#after(lagMs, () => this.#finish(end));
    });
    // Running once the command itself runs, as ACA reports a replica whose container started.
    process.started.then(() => {
      if (this.terminal) return;
      this.status = 'Running';
      this.#armDeadline();
      this.#services.changed(this);
    });
  }

  #deadlineArmed = false;

  #armDeadline(): void {
    if (this.#deadlineArmed) return;
    this.#deadlineArmed = true;
    const settings = this.#services.settings;
    this.#after(this.#input.replicaTimeoutSeconds * 1000, () => this.#interrupt('deadline', 'SIGTERM', settings.stopGraceMs));
  }

  #log(stream: LogStream, line: string, container = this.container.name): void {
    this.#services.logs.append({
      ContainerJobName_s: this.jobName,
      ContainerGroupName_s: this.replicaName,
      ContainerName_s: container,
      Stream_s: stream,
      Log_s: line,
      EnvironmentName_s: this.#services.settings.environment,
    });
  }

  /**
   * Runs after every log line was appended and the replica's directory is gone (a
   * ReplicaProcess resolves `ended` after both).
   * `end` is undefined when the replica never ran (stopped while Processing).
   */
  #finish(end: ProcessEnd | EarlyEnd | undefined): void {
    if (this.terminal) return;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.exitCode = end?.exitCode;
    this.endTime = new Date();
    if (end?.kind === 'failed' && this.#interruption === undefined) {
      this.#fail(end.reason, end.message);
      this.#containerInfo = end.reason;
    } else if (end?.kind === 'spawnFailed') {
      this.#fail('ContainerCreateFailure', end.message);
      this.#containerInfo = 'ContainerCannotRun';
    } else if (this.#interruption === 'deadline') {
      this.#fail('DeadlineExceeded', `Replica exceeded the replicaTimeout of ${this.#input.replicaTimeoutSeconds} seconds`);
      this.#containerInfo = 'DeadlineExceeded';
    } else if (this.#interruption === 'stop' || this.#interruption === 'delete') {
      this.status = 'Stopped';
      this.message = this.#interruption === 'stop' ? 'Execution was stopped' : 'The job was deleted';
      this.#containerInfo = 'Stopped';
    } else if (end?.exitCode === 0) {
      this.status = 'Succeeded';
      this.#containerInfo = 'Completed';
    } else {
      this.#fail('BackoffLimitExceeded', `Job has reached the specified backoff limit (exit code ${end?.exitCode})`);
      this.#containerInfo = 'Error';
    }
    this.#services.changed(this);
    this.#markEnded();
  }

  /** The replica never ran: no exit code, and ACA's terminated reason says why. */
  #failBeforeStart(reason: string, detail: string): void {
    this.endTime = new Date();
    this.#fail(reason, `Container '${this.container.name}' was terminated with exit code '' and reason '${reason}': ${detail}`);
    this.#containerInfo = reason;
    this.#services.changed(this);
    this.#markEnded();
  }

  #fail(reason: string, message: string): void {
    this.status = 'Failed';
    this.reason = reason;
    this.message = message;
  }

  #after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  /** The wire shape of Job_Execution_Get.json. */
  toResource(): object {
    const container = this.container;
    const replicas =
      this.status === 'Processing' && !this.#process
        ? []
        : [{ name: this.replicaName, containers: [...this.#initStatuses(), this.#containerStatus(container.name)] }];
    return {
      id: executionId(this.#services.settings, this.jobName, this.name),
      name: this.name,
      type: 'Microsoft.App/jobs/executions',
      properties: {
        status: this.status,
        startTime: this.startTime.toISOString(),
        ...(this.endTime ? { endTime: this.endTime.toISOString() } : {}),
        template: this.#input.template,
        detailedStatus: { replicas },
        ...(this.reason ? { reason: this.reason } : {}),
        ...(this.message ? { message: this.message } : {}),
      },
    };
  }

  /**
   * The replica/container view lists the init containers first, as the template orders them:
   * `containers[0]` is then not the main container, whose entry is found by its name.
   */
  #initStatuses(): object[] {
    const exits = this.#process instanceof ReplicaRun ? this.#process.initExits : undefined;
    const template = this.#input.template as { initContainers?: ContainerSpec[] };
    return (template.initContainers ?? []).map(({ name }) => {
      const code = exits?.get(name);
      if (code === undefined) return { name, status: this.terminal ? this.status : 'Running', additionalInformation: '' };
      return { name, code, status: 'Terminated', additionalInformation: code === 0 ? 'Completed' : 'Error' };
    });
  }

  #containerStatus(name: string): object {
    // The container has exited while the execution's status still lags at Running (ACA's
    // cleanup): the container view already shows it terminated, with its exit code.
    const exited = this.#exited;
    if (!this.terminal && exited && exited.kind !== 'failed') {
      return { name, code: exited.exitCode, status: 'Terminated', additionalInformation: exited.exitCode === 0 ? 'Completed' : 'Error' };
    }
    if (!this.terminal) return { name, status: 'Running', additionalInformation: '' };
    return {
      name,
      ...(this.exitCode !== undefined ? { code: this.exitCode } : {}),
      status: this.status,
      additionalInformation: this.#containerInfo,
    };
  }
}
