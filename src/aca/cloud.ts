// The cloud operations a container actor invokes. One implementation (aca-cloud.ts) talks to
// Azure (or the embedded simulator) through the real SDK clients; unit tests of the machines
// use in-memory doubles of this same interface.

/** A job definition built from the container's stored create config at start time. */
export interface JobSpec {
  /** `sockerless-{containerId[:12]}` */
  jobName: string;
  containerId: string;
  image: string;
  /** Docker Entrypoint, after merging with the image config (ACA `command`). */
  command?: string[];
  /** Docker Cmd, after merging with the image config (ACA `args`). */
  args?: string[];
  /** Plain values, or `secretRef` naming one of `secrets` (ACA keeps those out of the job's GET). */
  env: Array<{ name: string; value: string } | { name: string; secretRef: string }>;
  secrets?: Array<{ name: string; value: string }>;
  /** Private registries the image comes from: a password secret's name, or a managed identity. */
  registries?: Array<{ server: string; username?: string; passwordSecretRef?: string; identity?: string }>;
  /** A managed identity the job runs with (`system`, or a user-assigned identity's resource id). */
  identity?: string;
  /** Containers that run to completion before the main one (the agent's installer). */
  initContainers?: Array<{ name: string; image: string; command?: string[]; args?: string[] }>;
  /** EmptyDir volumes mounted at `mountPath` in every container, init containers included. */
  sharedDirs?: Array<{ name: string; mountPath: string }>;
  /** The container's Docker volumes: AzureFile (a named volume's share) or EmptyDir (anonymous, tmpfs), main container only. */
  volumes?: JobVolume[];
  /** ACA consumption pair, e.g. 1.0 / "2Gi". */
  cpu: number;
  memory: string;
  /** The environment's workload profile the job runs on; none in a Consumption-only environment. */
  workloadProfileName?: string;
  /** Seconds; ACA `replicaTimeout`. */
  replicaTimeout: number;
  /** Extra tags beside the `managed-by` / `sockerless-container-id` ones every job gets. */
  tags?: Record<string, string>;
}

/** A template volume and where the main container mounts it. */
export interface JobVolume {
  /** The template's volume name (`vol-0`, …). */
  name: string;
  storageType: 'AzureFile' | 'EmptyDir';
  /** The environment storage (AzureFile only). */
  storageName?: string;
  mountPath: string;
  /** A directory inside the volume to mount instead of its root (a mapped bind mount's). */
  subPath?: string;
}

/** One run of a job. */
export interface Execution {
  jobName: string;
  executionName: string;
}

/** ACA's `KnownJobExecutionRunningState` values (a plain string on the wire). */
export type ExecutionStatus =
  | 'Running' | 'Processing' | 'Stopped' | 'Degraded' | 'Failed' | 'Unknown' | 'Succeeded';

export const terminalStatuses: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Stopped', 'Degraded']);

/** What ACA reports once an execution is over. */
export interface ExecutionEnd {
  status: ExecutionStatus;
  /** The main container's exit code from `detailedStatus`, when ACA reports one. */
  exitCode?: number;
  reason?: string;
  message?: string;
  endTime?: string;
}

/** The tag every job carries that names the daemon instance which made it. */
export const INSTANCE_TAG = 'sockerless-instance';

/** A job tagged `managed-by: sockerless` in the resource group, whichever daemon made it. */
export interface ManagedJob {
  jobName: string;
  /** Its `sockerless-container-id` tag. */
  containerId?: string;
  /** Its `sockerless-instance` tag; absent on jobs made before daemons tagged their own. */
  instanceId?: string;
  /** Its `sockerless-job-shape` tag: a job shared by every container of that shape (no container id). */
  shape?: string;
}

/** One execution of a job, as listed. */
export interface ExecutionSummary {
  executionName: string;
  status: ExecutionStatus;
  startTime?: string;
  /** How it ended, once it is in a terminal state. */
  end?: ExecutionEnd;
  /** The names of the main container's environment variables (whether an agent runs in it). */
  envNames: string[];
  /** The plain value of its `SOCKERLESS_CONTAINER_ID` variable: whose execution it is on a shared job. */
  containerId?: string;
}

export type Stream = 'stdout' | 'stderr';

/** One console log row (`ContainerAppConsoleLogs_CL` or `ContainerAppConsoleLogs`). */
export interface LogRow {
  /** ISO-8601 time the line was emitted where the table has it (`_timestamp_d`), else its `TimeGenerated`. */
  time: string;
  /** ISO-8601 `TimeGenerated` (about when Azure received it), when `time` is the emit time. */
  ingested?: string;
  stream: Stream;
  /** The line, without its trailing newline. */
  line: string;
}

export interface LogQuery {
  jobName: string;
  /** Only this execution's rows (replica names start with the execution name). */
  executionName?: string;
  /** Rows with TimeGenerated at or after this instant. */
  since?: Date;
  /** Rows with TimeGenerated at or before this instant. */
  until?: Date;
  /** The last N rows only. */
  tail?: number;
}

export interface Cloud {
  /** Jobs.createOrUpdate, then Jobs.start: the job is (re)defined from the spec and one execution begins. */
  runJob(spec: JobSpec, signal?: AbortSignal): Promise<Execution>;
  /** Jobs.createOrUpdate alone: defines (or redefines) a shared job from the spec's job-level settings. */
  putJob(spec: JobSpec, signal?: AbortSignal): Promise<void>;
  /** Jobs.start on an existing job with the spec's own JobExecutionTemplate (image, command, env, resources). */
  startExecution(spec: JobSpec, signal?: AbortSignal): Promise<Execution>;
  /**
   * Resolves once the execution is in a terminal state; `onRunning` is called once when it is
   * first seen Running. One shared reader polls every waited-on execution; hints wake it early.
   */
  waitForEnd(execution: Execution, signal: AbortSignal, onRunning?: () => void): Promise<ExecutionEnd>;
  /** Jobs.stopExecution. A missing job or execution is not an error (it is already stopped). */
  stopExecution(execution: Execution, signal?: AbortSignal): Promise<void>;
  /** Jobs.delete. A missing job is not an error. */
  deleteJob(jobName: string, signal?: AbortSignal): Promise<void>;
  /** Log Analytics rows, oldest first. Throws when no workspace is configured. */
  queryLogs(query: LogQuery, signal?: AbortSignal): Promise<LogRow[]>;
  /**
   * How late log rows arrive in the workspace, as followers observed it (they report each row
   * they see arrive); absent on clouds that do not track it.
   */
  logLag?: { observe(ms: number): void; estimate(): number | undefined };
  /** Jobs.listByResourceGroup, only those tagged `managed-by: sockerless`. */
  listManagedJobs(signal?: AbortSignal): Promise<ManagedJob[]>;
  /** JobsExecutions.list, newest first; none when the job does not exist. */
  listExecutions(jobName: string, signal?: AbortSignal): Promise<ExecutionSummary[]>;
  /**
   * Hints that something changed in the cloud (an execution ended, log rows arrived), so pollers
   * can look now instead of at their next tick. Against Azure nothing calls it; the embedded
   * simulator does. Returns an unsubscribe function.
   */
  onChange(listener: () => void): () => void;
}
