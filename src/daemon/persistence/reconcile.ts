import type { Cloud, ManagedJob } from '../../aca/cloud';
import type { Logger } from '../../log';
import type { SharedJobs } from '../shared-jobs';

export interface ReconcileDeps {
  cloud: Cloud;
  /** This daemon's instance id: only jobs tagged with it are this daemon's to judge. */
  instanceId: string;
  /** Whether a container with this id exists in the daemon (any state). */
  knows(containerId: string): boolean;
  logger: Logger;
  /** Job reuse: this daemon's shared jobs, deleted once idle for `idleMs`. */
  shared?: { jobs: SharedJobs; idleMs: number; inUse(jobName: string): boolean };
}

export interface ReconcileReport {
  /** This daemon's jobs that the listing showed. */
  seen: number;
  /** Jobs of this daemon with no container: deleted. */
  orphans: string[];
  /** Managed jobs without an instance tag (made before instance tags): left alone, reported. */
  untagged: string[];
  /** Shared jobs of this daemon idle for longer than the idle time: deleted. */
  idle: string[];
}

/**
 * Reconciliation with ACA. A container's own actor watches its execution (restored `running`
 * actors re-check theirs at once; a vanished job ends them), so what is left to do here is the
 * reverse direction: a job of this daemon that no container owns (an orphan, e.g. of a crash
 * between creating it and recording its container, or of a lost store) is deleted. Jobs of
 * other daemons sharing the resource group carry another instance id and are never touched.
 */
export async function reconcile(deps: ReconcileDeps, signal?: AbortSignal): Promise<ReconcileReport> {
  const jobs = await deps.cloud.listManagedJobs(signal);
  const report: ReconcileReport = { seen: 0, orphans: [], untagged: [], idle: [] };
  for (const job of jobs) {
    if (job.instanceId === undefined) report.untagged.push(job.jobName);
    if (job.instanceId !== deps.instanceId) continue;
    report.seen++;
    if (job.shape !== undefined) {
      if (isIdle(job, deps)) report.idle.push(job.jobName);
    } else if (isOrphan(job, deps)) report.orphans.push(job.jobName);
  }
  for (const jobName of report.idle) {
    // A start on it may have begun meanwhile: retire() refuses then, and its shape makes it anew later.
    if (!deps.shared || deps.shared.inUse(jobName)) continue;
    if (await deps.shared.jobs.retire(jobName, signal)) deps.logger.debug({ job: jobName }, 'deleted an idle shared job');
  }
  for (const jobName of report.orphans) {
    // Looked at again just before: a container created meanwhile may own it now.
    const job = jobs.find((j) => j.jobName === jobName)!;
    if (!isOrphan(job, deps)) continue;
    await deps.cloud.deleteJob(jobName, signal);
    deps.logger.warn({ job: jobName, container: job.containerId }, 'deleted an orphaned job (no container of this daemon owns it)');
  }
  return report;
}

/** A shared job no container holds an execution of, unused for the idle time (left alone without `shared`). */
function isIdle(job: ManagedJob, deps: ReconcileDeps): boolean {
  if (!deps.shared) return false;
  const inUse = deps.shared.inUse(job.jobName);
  return !inUse && deps.shared.jobs.idleFor(job.jobName, inUse) >= deps.shared.idleMs;
}

function isOrphan(job: ManagedJob, deps: ReconcileDeps): boolean {
  return job.containerId === undefined || !deps.knows(job.containerId);
}

/** Reconciles now and then every `intervalMs` until stopped; failures are logged and retried next time. */
export class Reconciler {
  readonly #deps: ReconcileDeps;
  readonly #intervalMs: number;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #reportedUntagged = false;

  constructor(deps: ReconcileDeps, intervalMs: number) {
    this.#deps = deps;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#tick();
  }

  /** Runs a pass now (or waits for the one under way). */
  run(): Promise<void> {
    this.#running ??= reconcile(this.#deps, this.#abort.signal)
      .then((report) => this.#log(report))
      .catch((err: unknown) => {
        if (!this.#abort.signal.aborted) this.#deps.logger.warn({ err: (err as Error).message }, 'reconciliation with ACA failed; retrying at the next interval');
      })
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  #tick(): void {
    void this.run().then(() => {
      if (this.#abort.signal.aborted) return;
      this.#timer = setTimeout(() => this.#tick(), this.#intervalMs);
      this.#timer.unref();
    });
  }

  #log(report: ReconcileReport): void {
    this.#deps.logger.debug({ jobs: report.seen, orphans: report.orphans.length }, 'reconciled with ACA');
    if (report.untagged.length && !this.#reportedUntagged) {
      this.#reportedUntagged = true;
      this.#deps.logger.warn({ jobs: report.untagged }, 'managed jobs without a daemon instance tag are left alone (made by an older daemon?); delete them by hand if no daemon owns them');
    }
  }
}
