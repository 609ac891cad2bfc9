// The events the container chart understands: Docker requests (each with the request id its
// answer goes back to), the agent's reports, and the daemon's own.
import type { HostConfig, PendingReply, ProcessExit, WaitCondition } from './types';

export type ContainerEvent =
  | { type: 'START'; rid: string }
  | { type: 'STOP'; rid: string; timeout?: number }
  | { type: 'KILL'; rid: string; signal: string }
  | { type: 'RESTART'; rid: string; timeout?: number }
  | { type: 'REMOVE'; rid: string; force: boolean }
  | { type: 'WAIT'; rid: string; condition: WaitCondition }
  | { type: 'UNWAIT'; rid: string }
  | { type: 'PAUSE'; rid: string }
  | { type: 'UNPAUSE'; rid: string }
  | { type: 'RENAME'; name: string }
  /**
   * `docker update`: a restart policy and/or resources (`resources` says whether any resource is
   * set); `warnings` go back in the answer (how the resources map onto what ACA offers).
   */
  | { type: 'UPDATE'; rid: string; hostConfig: Partial<HostConfig>; resources: boolean; warnings?: string[] }
  | { type: 'AGENT_CONNECTED' }
  | { type: 'AGENT_LOST' }
  /** The cloud saw the execution Running (without an agent, the only sign it began). */
  | { type: 'EXECUTION_RUNNING' }
  | ({ type: 'PROCESS_EXITED' } & ProcessExit)
  /** The agent reported the main process running. */
  | { type: 'PROCESS_STARTED' }
  /**
   * The daemon restarted and restored this actor from its persisted snapshot. Timers do not
   * survive a restart (invoked cloud calls are re-invoked), so states waiting on one re-arm it.
   */
  | { type: 'RESUME' };

/** An event that is a Docker request, answered by the chart's `reply`. */
export type RequestEvent = Extract<ContainerEvent, { rid: string }>;

/** The state a waiting request is answered at. */
export type Until = PendingReply['until'];
