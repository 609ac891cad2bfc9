import { randomBytes } from 'node:crypto';
import type { ProcessChannel } from './agent/process-channel';

/** The create body of an exec, as Docker stores it. */
export interface ExecConfig {
  Cmd: string[];
  Env: string[];
  WorkingDir: string;
  User: string;
  Privileged: boolean;
  Tty: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  DetachKeys: string;
}

/**
 * One exec instance. A plain record rather than a statechart: its life is created → running →
 * ended, once, and every rule about it (start twice, container not running) is one check; the
 * process itself is the agent's session, whose channel says whether it runs and how it ended.
 */
export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  channel: ProcessChannel | undefined;
}

/** Docker keeps exec records while their container lives; so does this store. */
export class ExecStore {
  readonly #records = new Map<string, ExecRecord>();

  create(containerId: string, config: ExecConfig): ExecRecord {
    const record: ExecRecord = { id: randomBytes(32).toString('hex'), containerId, config, channel: undefined };
    this.#records.set(record.id, record);
    return record;
  }

  get(id: string): ExecRecord | undefined {
    return this.#records.get(id);
  }

  /** The ids of a container's execs (inspect's ExecIDs). */
  forContainer(containerId: string): string[] {
    return [...this.#records.values()].filter((r) => r.containerId === containerId).map((r) => r.id);
  }

  forgetContainer(containerId: string): void {
    for (const [id, r] of this.#records) if (r.containerId === containerId) this.#records.delete(id);
  }
}
