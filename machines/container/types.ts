import type { ErrorKind } from '../../src/errdefs';
// Data the container statechart holds (events.ts: what it understands). Plain JSON only, so a
// snapshot can be persisted and shown in the inspector.

import type { Health, Healthcheck } from './health';

/** The parts of Docker's container Config the daemon stores (the create body, validated). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  Image: string;
  WorkingDir: string;
  Labels: Record<string, string>;
  ExposedPorts: Record<string, object> | null;
  StopSignal?: string;
  StopTimeout?: number;
  /** The create's health check merged with the image's HEALTHCHECK (moby's merge). */
  Healthcheck?: Healthcheck;
}

/** The parts of HostConfig the lifecycle reads; the rest is kept as given for inspect. */
export interface HostConfig {
  AutoRemove: boolean;
  RestartPolicy: { Name: string; MaximumRetryCount: number };
  NetworkMode: string;
  [key: string]: unknown;
}

export interface ExecutionRef {
  jobName: string;
  executionName: string;
  /** An in-job agent runs in it and will dial back (signals and stop then go through it). */
  agent?: boolean;
}

/** What the chart hands the watcher of an execution: the execution, and whose it is. */
export interface WatchInput extends ExecutionRef {
  containerId: string;
}

/** How an execution ended, as the cloud reported it. */
export interface ExecutionOutcome {
  status: string;
  /** The main process's exit code, when known (agent or ACA's detailedStatus). */
  exitCode?: number;
  /** ACA's reason for a failed execution (`ImagePullFailure` when the container never started). */
  reason?: string;
  message?: string;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** A Docker request waiting for the container to reach a state before it is answered. */
export interface PendingReply {
  rid: string;
  until: 'running' | 'exited' | 'removed';
}

export interface PendingWait {
  rid: string;
  condition: WaitCondition;
}

/**
 * How the chart answers a request: done (`ok` with a body, `created`, `noContent`), or refused
 * with an error kind. The HTTP front end turns it into a status; the chart knows no HTTP.
 */
export type ReplyOutcome = 'ok' | 'created' | 'noContent' | ErrorKind;

/** A request's answer: its outcome and, for some, a JSON body. */
export interface Reply {
  rid: string;
  outcome: ReplyOutcome;
  body?: unknown;
}

/** A Docker event (`/events`) the transition announces. */
export interface Announcement {
  action: string;
  attributes?: Record<string, string>;
}

export interface ContainerInput {
  id: string;
  name: string;
  created: string;
  imageId: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
}

export interface ContainerContext extends ContainerInput {
  jobName: string;
  /** The current (or last) execution. */
  execution: ExecutionRef | null;
  /** Whether a job exists in the cloud that removal must delete. */
  jobExists: boolean;
  startedAt: string;
  /** StartedAt before the current start (restored if the command cannot be run). */
  previousStartedAt?: string;
  finishedAt: string;
  exitCode: number;
  error: string;
  /** Restarts by the restart policy since the last start by the user (Docker's RestartCount). */
  restartCount: number;
  /** The back-off before the next restart by policy, ms (0: none yet). */
  restartDelayMs: number;
  /** The current run was started by the restart policy, not by the user. */
  autoRestart: boolean;
  /** The last start failed before anything ran; the restart policy does not apply to it. */
  startFailed: boolean;
  /**
   * The stop or kill asked of the current execution; `timeout` is the grace in seconds between
   * the stop signal and SIGKILL (-1: wait for ever), honoured when an agent delivers signals.
   */
  stopRequest: { by: 'stop' | 'kill'; signal: string; timeout: number } | null;
  /** Whether the in-job agent of the current execution is connected to the daemon. */
  agentConnected: boolean;
  /** The current execution has been seen running (ACA said Running, or its agent dialled). */
  executionRunning: boolean;
  /** Failed calls of the cloud operation under way, for the chart's own retries. */
  cloudAttempts: number;
  /** The agent reported the main process running (Docker's start answers then). */
  processStarted: boolean;
  /** The main process's end as the agent reported it (exact code; signal when killed). */
  processExit: ProcessExit | null;
  /** What follows once the current execution has ended. */
  intent: 'restart' | 'remove' | null;
  replies: PendingReply[];
  waits: PendingWait[];
  /** `State.Health` of the current (or last) run; null without a health check. */
  health: Health | null;
}

/** How the main process ended, as the agent saw it. `error` when it could not start. */
export interface ProcessExit {
  code: number;
  signal?: string;
  error?: string;
}
