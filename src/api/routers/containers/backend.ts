import type { ContainerInput, Reply } from '../../../../machines/container';
import type { LogRow } from '../../../aca/cloud';
import type { AgentLink } from '../../../daemon/agent/link';
import type { AttachSource } from '../../../daemon/attach-source';
import type { ContainerRef, ContainerRequest } from '../../../daemon/daemon';
import type { PlannedBindings } from '../../../daemon/ports/bindings';
import type { OpenBinding } from '../../../daemon/ports/published';
import type { Filters } from '../../../filters';
import type { ContainerLookup } from '../../find-container';

/**
 * What the containers routes ask of the daemon (moby's `router/container/backend.go`): requests
 * to the container actors, the snapshots to render, and the agent and log streams. The routes
 * talk to this, never to the daemon's agents, attachments or execs; `DaemonContainers`
 * (src/daemon/containers-backend.ts) implements it.
 */
export interface ContainersBackend extends ContainerLookup<ContainerRef> {
  containers(): ContainerRef[];
  nameTaken(name: string): boolean;
  /** Whether the next start runs the in-job agent (published ports and refused env need it). */
  agentRuns(): boolean;
  portBindings(input: Pick<ContainerInput, 'config' | 'hostConfig'>): PlannedBindings;
  publishedPorts(containerId: string): readonly OpenBinding[];

  create(input: ContainerInput): Promise<Reply>;
  ask(ref: ContainerRef, event: ContainerRequest, opts?: { signal?: AbortSignal }): Promise<Reply>;
  rename(id: string, name: string): Promise<Reply>;
  /** Announces a container event (`attach`) on the events stream. */
  announce(ref: ContainerRef, action: string): void;

  /** The hostname the replica's process sees, when its agent reported one. */
  seenHostname(containerId: string): string | undefined;
  /** Resizes the main process's terminal (remembered until the agent dials). */
  resize(containerId: string, width: number, height: number): void;
  /** Waits (at most `timeoutMs`) until attached clients have the output of the current execution. */
  outputDrained(ref: ContainerRef, timeoutMs: number): Promise<void>;
  /** `docker logs`: Log Analytics history joined with the agent's live delivery. */
  logs(ref: ContainerRef, opts: { since?: Date; until?: Date; tail?: number; follow: boolean; signal: AbortSignal }): AsyncGenerator<LogRow>;
  /** Where an attach reads the main process's output; `done` settles when the client is gone. */
  attachSource(ref: ContainerRef, opts: { register(link: AgentLink): void; done: Promise<void>; signal: AbortSignal }): Promise<AttachSource>;
  /** The connected agent of a running container, waited for; Docker's 409 saying why there is none. */
  agentLink(ref: ContainerRef, what: string, signal?: AbortSignal): Promise<AgentLink>;
  /** The memory the container's job was given (ACA quantity, `2Gi`), once it started. */
  jobMemory(containerId: string): string | undefined;
  prune(filters: Filters): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }>;
}
