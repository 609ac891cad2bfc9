// A Cloud double whose calls can be held (never settle) or answered, and which records them.
import type { Cloud, Execution, ExecutionEnd, ExecutionSummary, JobSpec, ManagedJob } from '../../src/aca/cloud';

type Call = 'runJob' | 'putJob' | 'startExecution' | 'waitForEnd' | 'stopExecution' | 'deleteJob';

export class FakeCloud implements Cloud {
  readonly calls: Array<{ call: Call; target: string }> = [];
  /** Calls that never settle (as if the daemon died while they were under way). */
  readonly held = new Set<Call>();
  jobs: ManagedJob[] = [];
  executions = new Map<string, ExecutionSummary[]>();
  readonly #ends = new Map<string, (end: ExecutionEnd) => void>();
  #next = 0;

  #hold<T>(call: Call, target: string, answer: () => Promise<T> | T): Promise<T> {
    this.calls.push({ call, target });
    if (this.held.has(call)) return new Promise<T>(() => {});
    return Promise.resolve().then(answer);
  }

  runJob(spec: JobSpec): Promise<Execution> {
    return this.#hold('runJob', spec.jobName, () => ({ jobName: spec.jobName, executionName: `${spec.jobName}-run${++this.#next}` }));
  }

  putJob(spec: JobSpec): Promise<void> {
    return this.#hold('putJob', spec.jobName, () => {
      if (!this.jobs.some((j) => j.jobName === spec.jobName)) this.jobs.push({ jobName: spec.jobName, shape: spec.tags?.['sockerless-job-shape'] });
    });
  }

  startExecution(spec: JobSpec): Promise<Execution> {
    return this.#hold('startExecution', spec.jobName, () => ({ jobName: spec.jobName, executionName: `${spec.jobName}-run${++this.#next}` }));
  }

  waitForEnd(execution: Execution, signal: AbortSignal): Promise<ExecutionEnd> {
    this.calls.push({ call: 'waitForEnd', target: execution.executionName });
    return new Promise<ExecutionEnd>((resolve, reject) => {
      this.#ends.set(execution.executionName, resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  /** Ends a watched execution as ACA would report it. */
  end(executionName: string, end: ExecutionEnd): void {
    const resolve = this.#ends.get(executionName);
    if (!resolve) throw new Error(`nobody waits for ${executionName}`);
    resolve(end);
  }

  watching(executionName: string): boolean {
    return this.#ends.has(executionName);
  }

  stopExecution(execution: Execution): Promise<void> {
    return this.#hold('stopExecution', execution.executionName, () => undefined);
  }

  deleteJob(jobName: string): Promise<void> {
    return this.#hold('deleteJob', jobName, () => {
      this.jobs = this.jobs.filter((j) => j.jobName !== jobName);
    });
  }

  async queryLogs(): Promise<never[]> {
    return [];
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
