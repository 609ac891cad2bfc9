import { randomBytes } from 'node:crypto';
import type { Cloud, Execution, JobSpec } from '../aca/cloud';
import { jobShapeKey, SHAPE_TAG, sharedJobName, unshareableReason } from '../aca/job-shape';

/** The secret a shared job keeps for its agents: each start's token is derived from it (agent/shared-token.ts). */
export const AGENT_KEY_SECRET = 'sockerless-agent-key';

interface Entry {
  shape: string;
  jobName: string;
  /** Random per job; the job's `sockerless-agent-key` secret. */
  agentKey: string;
  /** The job's PUT, once per entry (a failed one is tried again by the next start). */
  ready?: Promise<void>;
  /** Starts under way. */
  starting: number;
  /** When a start last began or ended here (ms). */
  lastUsed: number;
}

/**
 * The shared jobs of this daemon, by shape key: created by the first start of a shape, reused by
 * every later one (one Jobs_Start each), retired by reconciliation once idle. Not persisted: after
 * a daemon restart the first start of a shape PUTs its job again (with a new agent key).
 */
export class SharedJobs {
  readonly #cloud: Cloud;
  readonly #entries = new Map<string, Entry>();
  /** Jobs being deleted by the idle sweep; a start of the same shape waits for the delete. */
  readonly #deleting = new Map<string, Promise<void>>();
  readonly #now: () => number;
  /** Job PUTs made (the figure `arm_writes_per_run_cold` counts). */
  puts = 0;

  readonly #environmentId: string;

  constructor(cloud: Cloud, environmentId: string, now: () => number = Date.now) {
    this.#cloud = cloud;
    this.#environmentId = environmentId;
    this.#now = now;
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
      entry.ready ??= this.#put(entry, spec);
      await entry.ready;
      return await this.#cloud.startExecution(spec, signal);
    } finally {
      entry.starting--;
      entry.lastUsed = this.#now();
    }
  }

  async #put(entry: Entry, spec: JobSpec): Promise<void> {
    try {
      await this.#deleting.get(entry.jobName);
      this.puts++;
      // Not the caller's signal: other starts of the shape wait on this PUT too.
      await this.#cloud.putJob({ ...spec, containerId: '', tags: { ...spec.tags, [SHAPE_TAG]: entry.shape } });
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
    const deleting = this.#cloud.deleteJob(jobName, signal).finally(() => this.#deleting.delete(jobName));
    this.#deleting.set(jobName, deleting.catch(() => {}));
    await deleting;
    return true;
  }
}
