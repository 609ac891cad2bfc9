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

/** What outlives a daemon restart of an exec: its identity and create body (its process is the agent's). */
export type PersistedExec = Pick<ExecRecord, 'id' | 'containerId' | 'config'>;

/** Docker keeps exec records while their container lives; so does this store. */
export class ExecStore {
  readonly #records = new Map<string, ExecRecord>();
  /** Told of every record made (with it) or forgotten (undefined), for persistence. */
  onChange: ((id: string, record: PersistedExec | undefined) => void) | undefined;

  create(containerId: string, config: ExecConfig): ExecRecord {
    const record: ExecRecord = { id: randomBytes(32).toString('hex'), containerId, config, channel: undefined };
    this.#records.set(record.id, record);
    this.onChange?.(record.id, { id: record.id, containerId, config });
    return record;
  }

  /** Records kept across a daemon restart (not started since: their processes went with the old connection). */
  restore(records: readonly PersistedExec[]): void {
    for (const r of records) this.#records.set(r.id, { ...r, channel: undefined });
  }

  get(id: string): ExecRecord | undefined {
    return this.#records.get(id);
  }

  /** The ids of a container's execs (inspect's ExecIDs). */
  forContainer(containerId: string): string[] {
    return [...this.#records.values()].filter((r) => r.containerId === containerId).map((r) => r.id);
  }

  forgetContainer(containerId: string): void {
    for (const [id, r] of this.#records) {
      if (r.containerId !== containerId) continue;
      this.#records.delete(id);
      this.onChange?.(id, undefined);
    }
  }
}
