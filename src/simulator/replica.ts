import type { LogStream } from './log-store';

export type ProcessEnd =
  /** exitCode is the process's code, or 128 + signal number when a signal ended it. */
  | { kind: 'exited'; exitCode: number }
  /** 125: the replica could not be set up; 126/127: its command cannot be executed. */
  | { kind: 'spawnFailed'; exitCode: 125 | 126 | 127; message: string };

/** The main container of one replica, as a local process. */
export interface ReplicaProcess {
  /** Resolves after the last output line was handed over and the replica's scratch state is gone. */
  readonly ended: Promise<ProcessEnd>;
  /** Resolves once the command itself runs (its replica set up); never if it cannot be started. */
  readonly started: Promise<void>;
  readonly running: boolean;
  /** What a container runtime does with a signal for the container (SIGTERM on stop, SIGKILL). */
  signal(signal: NodeJS.Signals): void;
}

/** The filesystem a replica's container runs in. */
export interface ReplicaRoot {
  /** The image's unpacked layers, top first; absent: the fallback root of host system directories. */
  lowerDirs?: string[];
  /** Absolute; default `/`. */
  workingDir?: string;
  /** Numeric ids to run as; root when absent. */
  user?: { uid: number; gid: number };
  /** Volumes: EmptyDir (replica-scoped) and AzureFile (share) directories bound at `target`, read-only when asked. */
  volumes?: { source: string; target: string; readOnly?: boolean }[];
}

export interface ReplicaSpec {
  replicaName: string;
  /** Where it runs when isolated (unisolated replicas run on the host as they are). */
  root?: ReplicaRoot;
  /** command ++ args; argv[0] is looked up in the env's PATH. */
  argv: string[];
  /** The container's env, given the HOME the replica gets when its template sets none. */
  env: (home: string) => Record<string, string>;
}

export type IsolationMode = 'namespaces' | 'none';

/** Starts replicas: isolated in namespaces where the host allows it, as plain processes otherwise. */
export interface ReplicaLauncher {
  readonly isolation: IsolationMode;
  /** One line on how replicas run (and, unisolated, why). */
  readonly description: string;
  launch(spec: ReplicaSpec, onLine: (stream: LogStream, line: string) => void): ReplicaProcess;
}

/** The message a container runtime gives for an entrypoint it cannot exec. */
export function execFailureMessage(command: string, exitCode: 126 | 127): string {
  if (exitCode === 126) return `exec: "${command}": permission denied`;
  const detail = command.includes('/') ? 'no such file or directory' : 'executable file not found in $PATH';
  return `exec: "${command}": ${detail}`;
}

/** `process`, whose `ended` waits for `cleanup` (removing the replica's directory) first. */
export function withCleanup(process: ReplicaProcess, cleanup: () => Promise<void>): ReplicaProcess {
  const ended = process.ended.then(async (end) => {
    await cleanup();
    return end;
  });
  return {
    ended,
    started: process.started,
    get running() {
      return process.running;
    },
    signal: (signal) => process.signal(signal),
  };
}
