// A Cloud double whose calls can be held (never settle) or answered, and which records them.
// It keeps jobs, executions and log rows as ACA would, so test/contract runs the Cloud contract
// on it too; the process of an execution is played by the test (`log`, `end`).
import type { Cloud, Execution, ExecutionEnd, ExecutionSummary, JobSpec, LogQuery, LogRow, ManagedJob, Stream } from '../../src/aca/cloud';
import { INSTANCE_TAG, terminalStatuses } from '../../src/aca/cloud';

type Call = 'runJob' | 'putJob' | 'startExecution' | 'waitForEnd' | 'stopExecution' | 'deleteJob';

export class FakeCloud implements Cloud {
  readonly calls: Array<{ call: Call; target: string }> = [];
  /** Calls that never settle (as if the daemon died while they were under way). */
  readonly held = new Set<Call>();
  jobs: ManagedJob[] = [];
  executions = new Map<string, ExecutionSummary[]>();
  readonly #ends = new Map<string, Array<(end: ExecutionEnd) => void>>();
  readonly #rows: Array<LogRow & { jobName: string; executionName: string }> = [];
  /** Jobs deleted: a wait on one of their executions ends at once, as ACA no longer knows it. */
  readonly #deleted = new Set<string>();
  #next = 0;
  #clock = Date.now();

  #hold<T>(call: Call, target: string, answer: () => Promise<T> | T): Promise<T> {
    this.calls.push({ call, target });
    if (this.held.has(call)) return new Promise<T>(() => {});
    return Promise.resolve().then(answer);
  }

  /** Strictly increasing instants, so runs and rows have an order even within one millisecond. */
  #now(): string {
    this.#clock = Math.max(this.#clock + 1, Date.now());
    return new Date(this.#clock).toISOString();
  }

  runJob(spec: JobSpec): Promise<Execution> {
    return this.#hold('runJob', spec.jobName, () => {
      const job: ManagedJob = { jobName: spec.jobName, containerId: spec.containerId, ...(spec.tags?.[INSTANCE_TAG] !== undefined && { instanceId: spec.tags[INSTANCE_TAG] }) };
      this.jobs = [...this.jobs.filter((j) => j.jobName !== spec.jobName), job];
      this.#deleted.delete(spec.jobName);
      const executionName = `${spec.jobName}-run${++this.#next}`;
      const summary: ExecutionSummary = { executionName, status: 'Running', startTime: this.#now(), envNames: spec.env.map((e) => e.name) };
      this.executions.set(spec.jobName, [summary, ...(this.executions.get(spec.jobName) ?? [])]);
      return { jobName: spec.jobName, executionName };
    });
  }

  putJob(spec: JobSpec): Promise<void> {
    return this.#hold('putJob', spec.jobName, () => {
      if (!this.jobs.some((j) => j.jobName === spec.jobName)) this.jobs.push({ jobName: spec.jobName, shape: spec.tags?.['sockerless-job-shape'] });
    });
  }

  startExecution(spec: JobSpec): Promise<Execution> {
    return this.#hold('startExecution', spec.jobName, () => ({ jobName: spec.jobName, executionName: `${spec.jobName}-run${++this.#next}` }));
  }

  waitForEnd(execution: Execution, signal: AbortSignal, onRunning?: () => void): Promise<ExecutionEnd> {
    this.calls.push({ call: 'waitForEnd', target: execution.executionName });
    const summary = this.#summary(execution);
    if (summary?.end) return Promise.resolve(summary.end);
    if (summary?.status === 'Running') queueMicrotask(() => onRunning?.());
    if (this.#deleted.has(execution.jobName)) return Promise.resolve({ status: 'Failed', reason: 'the job was deleted' });
    return new Promise<ExecutionEnd>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      this.#ends.set(execution.executionName, [...(this.#ends.get(execution.executionName) ?? []), resolve]);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  /** Ends a watched execution as ACA would report it. */
  end(executionName: string, end: ExecutionEnd): void {
    const waiting = this.#ends.get(executionName);
    if (!waiting) throw new Error(`nobody waits for ${executionName}`);
    this.#finish(executionName, end);
  }

  /** The execution's process writes a line (a `ContainerAppConsoleLogs_CL` row). */
  log(execution: Execution, stream: Stream, line: string): void {
    this.#rows.push({ ...execution, stream, line, time: this.#now() });
  }

  /** Ends an execution whether or not anybody waits for it (its process exited). */
  finish(execution: Execution, end: ExecutionEnd): void {
    this.#finish(execution.executionName, end);
  }

  #finish(executionName: string, end: ExecutionEnd): void {
    for (const list of this.executions.values()) {
      const summary = list.find((s) => s.executionName === executionName);
      if (summary && !summary.end) Object.assign(summary, { status: end.status, end });
    }
    const waiting = this.#ends.get(executionName) ?? [];
    this.#ends.delete(executionName);
    for (const resolve of waiting) resolve(end);
  }

  #summary(execution: Execution): ExecutionSummary | undefined {
    return this.executions.get(execution.jobName)?.find((s) => s.executionName === execution.executionName);
  }

  watching(executionName: string): boolean {
    return this.#ends.has(executionName);
  }

  stopExecution(execution: Execution): Promise<void> {
    return this.#hold('stopExecution', execution.executionName, () => {
      const summary = this.#summary(execution);
      // A stop is SIGTERM to the process, which a shell ends with 143.
      if (summary && !terminalStatuses.has(summary.status)) this.#finish(execution.executionName, { status: 'Stopped', exitCode: 143 });
    });
  }

  deleteJob(jobName: string): Promise<void> {
    return this.#hold('deleteJob', jobName, () => {
      this.jobs = this.jobs.filter((j) => j.jobName !== jobName);
      for (const s of this.executions.get(jobName) ?? []) {
        if (!s.end) this.#finish(s.executionName, { status: 'Failed', reason: 'the job was deleted' });
      }
      this.executions.delete(jobName);
      this.#deleted.add(jobName);
    });
  }

  async queryLogs(q: LogQuery): Promise<LogRow[]> {
    const rows = this.#rows
      .filter((r) => r.jobName === q.jobName && (!q.executionName || r.executionName === q.executionName))
      .filter((r) => (!q.since || Date.parse(r.time) >= q.since.getTime()) && (!q.until || Date.parse(r.time) <= q.until.getTime()))
      .map(({ time, stream, line }) => ({ time, stream, line }));
    return q.tail === undefined ? rows : rows.slice(Math.max(0, rows.length - q.tail));
  }

  onChange(): () => void {
    return () => {};
  }

  async listManagedJobs(): Promise<ManagedJob[]> {
    return this.jobs;
  }

  async listExecutions(jobName: string): Promise<ExecutionSummary[]> {
    return this.executions.get(jobName) ?? [];
  }
}
