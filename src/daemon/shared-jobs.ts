import { randomBytes } from 'node:crypto';
import type { Cloud, Execution, JobSpec } from '../aca/cloud';
import { isNotFound } from '../aca/errors';
import { jobShapeKey, SHAPE_TAG, sharedJobName, unshareableReason } from '../aca/job-shape';
import { CONTAINER_ID_ENV, CONTAINER_NAME_ENV } from './job-spec';

/** The secret a shared job keeps for its agents: each start's token is derived from it (agent/shared-token.ts). */
export const AGENT_KEY_SECRET = 'sockerless-agent-key';

interface Entry {
  shape: string;
  jobName: string;
  /** Random per job; the job's `sockerless-agent-key` secret. */
  agentKey: string;
  /** The job's PUT, once per entry (a failed one is tried again by the next start). */
  ready?: Promise<void>;
  /** Its PUT succeeded (in this daemon run or one before it). */
  made?: boolean;
  /** Starts under way. */
  starting: number;
  /** When a start last began or ended here (ms). */
  lastUsed: number;
}

/** A shared job as the store keeps it: made (its PUT succeeded) by this daemon, with its agent key. */
export interface SharedJobRecord {
  shape: string;
  jobName: string;
  agentKey: string;
}

export interface SharedJobsOptions {
  now?: () => number;
  /** The shared jobs this daemon had made before it restarted: started on again without a PUT. */
  records?: readonly SharedJobRecord[];
  /** The whole set after each change (a job made or retired). */
  onChange?: (records: SharedJobRecord[]) => void;
}

/**
 * The shared jobs of this daemon, by shape key: created by the first start of a shape, reused by
 * every later one (one Jobs_Start each), retired by reconciliation once idle. Persisted with the
 * daemon's state (not rebuilt from the jobs' shape tags): the agent key lives only in the job's
 * secrets, which ARM gives back only through a ListSecrets POST (a write), so a rebuilt registry
 * would have to PUT each job again with a new key; a stored one starts on it at once.
 */
export class SharedJobs {
  readonly #cloud: Cloud;
  readonly #entries = new Map<string, Entry>();
  /** Jobs being deleted by the idle sweep; a start of the same shape waits for the delete. */
  readonly #deleting = new Map<string, Promise<void>>();
  readonly #now: () => number;
  readonly #onChange: ((records: SharedJobRecord[]) => void) | undefined;
  /** Job PUTs made (the figure `arm_writes_per_run_cold` counts). */
  puts = 0;

  readonly #environmentId: string;

  constructor(cloud: Cloud, environmentId: string, opts: SharedJobsOptions = {}) {
    this.#cloud = cloud;
    this.#environmentId = environmentId;
    this.#now = opts.now ?? Date.now;
    this.#onChange = opts.onChange;
    for (const r of opts.records ?? []) {
      this.#entries.set(r.shape, { shape: r.shape, jobName: r.jobName, agentKey: r.agentKey, ready: Promise.resolve(), made: true, starting: 0, lastUsed: this.#now() });
    }
  }

  #persist(): void {
    this.#onChange?.([...this.#entries.values()].filter((e) => e.made).map(({ shape, jobName, agentKey }) => ({ shape, jobName, agentKey })));
  }

  /** The shape of a spec (without its agent), or why it cannot share a job. */
  shapeOf(spec: JobSpec): { shape: string } | { reason: string } {
    const jobLevel = new Set((spec.registries ?? []).flatMap((r) => (r.passwordSecretRef ? [r.passwordSecretRef] : [])));
    const reason = unshareableReason(spec, jobLevel);
    return reason ? { reason } : { shape: jobShapeKey(spec, this.#environmentId) };
  }

  /** The shape's job and agent key (made up on first sight; no cloud call). */
  entry(shape: string): { jobName: string; agentKey: string } {
    let entry = this.#entries.get(shape);
    if (!entry) {
      entry = { shape, jobName: sharedJobName(shape), agentKey: randomBytes(32).toString('base64url'), starting: 0, lastUsed: this.#now() };
      this.#entries.set(shape, entry);
    }
    return entry;
  }

  /** Starts one execution of `spec` (already named for the shape's job) on the shared job. */
  async start(shape: string, spec: JobSpec, signal?: AbortSignal): Promise<Execution> {
    const entry = this.#entries.get(shape);
    if (!entry || entry.jobName !== spec.jobName) throw new Error(`no shared job for shape ${shape.slice(0, 12)}`);
    entry.starting++;
    entry.lastUsed = this.#now();
    try {
      const ready = (entry.ready ??= this.#put(entry, spec));
      await ready;
      try {
        return await this.#cloud.startExecution(spec, signal);
      } catch (err) {
        // Deleted behind the daemon's back (by hand, or while it was down): made again, once per shape.
        if (!isNotFound(err)) throw err;
        if (entry.ready === ready) {
          entry.made = false;
          entry.ready = this.#put(entry, spec);
        }
        await entry.ready;
        return await this.#cloud.startExecution(spec, signal);
      }
    } finally {
      entry.starting--;
      entry.lastUsed = this.#now();
    }
  }

  async #put(entry: Entry, spec: JobSpec): Promise<void> {
    try {
      await this.#deleting.get(entry.jobName);
      this.puts++;
      // Not the caller's signal: other starts of the shape wait on this PUT too. The job's own
      // template is the first start's, less the names of that container (each execution carries its own).
      const env = spec.env.filter((e) => e.name !== CONTAINER_ID_ENV && e.name !== CONTAINER_NAME_ENV);
      await this.#cloud.putJob({ ...spec, env, containerId: '', tags: { ...spec.tags, [SHAPE_TAG]: entry.shape } });
      entry.made = true;
      if (this.#entries.get(entry.shape) === entry) this.#persist();
    } catch (err) {
      entry.ready = undefined;
      throw err;
    }
  }

  /** Shared jobs seen by the sweep but not started on in this daemon run (e.g. before a restart): when first seen. */
  readonly #seen = new Map<string, number>();

  /**
   * How long the job has gone unused (ms): since a start last began or ended on it, or since a
   * container last held an execution of it (`inUse`), or since it was first seen.
   */
  idleFor(jobName: string, inUse: boolean): number {
    const now = this.#now();
    if (inUse) this.#seen.set(jobName, now);
    let last = this.#seen.get(jobName);
    for (const e of this.#entries.values()) {
      if (e.jobName !== jobName) continue;
      if (e.starting > 0) return 0;
      last = Math.max(last ?? 0, e.lastUsed);
    }
    if (last === undefined) this.#seen.set(jobName, (last = now));
    return now - last;
  }

  /**
   * Deletes an idle shared job: forgotten first, so a start of its shape that comes meanwhile
   * makes it again (after the delete) instead of starting on a job about to go.
   */
  async retire(jobName: string, signal?: AbortSignal): Promise<boolean> {
    for (const [shape, e] of this.#entries) {
      if (e.jobName !== jobName) continue;
      if (e.starting > 0) return false;
      this.#entries.delete(shape);
    }
    this.#seen.delete(jobName);
    this.#persist();
    const deleting = this.#cloud.deleteJob(jobName, signal).finally(() => this.#deleting.delete(jobName));
    this.#deleting.set(jobName, deleting.catch(() => {}));
    await deleting;
    return true;
  }
}
