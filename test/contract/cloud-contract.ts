// The Cloud contract: one behaviour suite for every implementation of src/aca/cloud.ts (the fake
// of the persistence tests, the SDK cloud on the simulator in both profiles, the SDK cloud on a
// real subscription). What a container actor relies on, said once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cloud, Execution, ExecutionEnd, JobSpec, LogQuery, LogRow } from '../../src/aca/cloud';
import { containerId, jobSpec, type ContractTarget, type Program } from './target';

const failing = { stdout: ['out one', 'out two'], stderr: ['err one'], exitCode: 3 } satisfies Program;
const succeeding = { stdout: ['fine'], stderr: [], exitCode: 0 } satisfies Program;
const fiveLines = { stdout: ['line1', 'line2', 'line3', 'line4', 'line5'], stderr: [], exitCode: 0 } satisfies Program;

/** Whether rows are oldest first, and rows written earlier come first wherever their times differ. */
function inWrittenOrder(rows: LogRow[], written: string[]): boolean {
  return rows.every((r, i) => {
    const next = rows[i + 1];
    if (!next) return true;
    const [a, b] = [Date.parse(r.time), Date.parse(next.time)];
    return a < b ? written.indexOf(r.line) < written.indexOf(next.line) : a === b;
  });
}

/** Registers the contract's tests for the target `make()` builds (once, before them). */
export function describeCloudContract(title: string, make: () => Promise<ContractTarget>): void {
  describe(title, () => {
    let target: ContractTarget;
    let cloud: Cloud;
    const made = new Set<string>();

    beforeAll(async () => {
      target = await make();
      cloud = target.cloud;
    });

    afterAll(async () => {
      for (const jobName of made) await cloud?.deleteJob(jobName).catch(() => {});
      await target?.close();
    });

    const patience = () => AbortSignal.timeout(target.patienceMs);

    async function run(program: Program, spec: JobSpec = jobSpec(target, program)): Promise<Execution> {
      made.add(spec.jobName);
      const execution = await cloud.runJob(spec, patience());
      target.play(execution, program);
      return execution;
    }

    async function runToEnd(program: Program, spec?: JobSpec): Promise<{ execution: Execution; end: ExecutionEnd }> {
      const execution = await run(program, spec);
      return { execution, end: await cloud.waitForEnd(execution, patience()) };
    }

    /** Queries until `done` holds: log rows become queryable some time after they are written. */
    async function logsUntil(q: LogQuery, done: (rows: LogRow[]) => boolean): Promise<LogRow[]> {
      const deadline = Date.now() + target.patienceMs;
      for (let wait = 50; ; wait = Math.min(wait * 2, 5_000)) {
        let rows: LogRow[] = [];
        try {
          rows = await cloud.queryLogs(q, patience());
          if (done(rows)) return rows;
        } catch (err) {
          // Before its first rows arrive, a workspace may not know the table yet (a 400 from the query API).
          if (Date.now() > deadline) throw err;
        }
        if (Date.now() > deadline) return rows;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }

    it('runs a job: the execution is named after its job, which is listed as managed with its container id', async () => {
      const spec = jobSpec(target, succeeding);
      const { execution } = await runToEnd(succeeding, spec);
      expect(execution.jobName).toBe(spec.jobName);
      expect(execution.executionName.startsWith(`${spec.jobName}-`)).toBe(true);
      const jobs = await cloud.listManagedJobs(patience());
      expect(jobs).toContainEqual(expect.objectContaining({ jobName: spec.jobName, containerId: spec.containerId }));
    });

    it('reports a failed run with its exit code, and its rows of both streams oldest first', async () => {
      const { execution, end } = await runToEnd(failing);
      expect(end.status).toBe('Failed');
      if (target.exitCodes) expect(end.exitCode).toBe(3);
      const written = [...failing.stdout, ...failing.stderr];
      const rows = await logsUntil({ jobName: execution.jobName }, (r) => r.length >= written.length);
      expect(rows.map((r) => `${r.stream}:${r.line}`).sort()).toEqual(['stderr:err one', 'stdout:out one', 'stdout:out two']);
      expect(inWrittenOrder(rows, written)).toBe(true);
      for (const row of rows) expect(new Date(row.time).toISOString()).toBe(row.time);
    });

    it('reports a successful run as Succeeded (exit code 0)', async () => {
      const { end } = await runToEnd(succeeding);
      expect(end.status).toBe('Succeeded');
      if (target.exitCodes) expect(end.exitCode).toBe(0);
    });

    it('lists the executions of a job newest first, an ended one with its end and the names of its env', async () => {
      const id = containerId();
      const first = await runToEnd(succeeding, jobSpec(target, succeeding, id));
      const second = await runToEnd(failing, jobSpec(target, failing, id));
      const listed = await cloud.listExecutions(first.execution.jobName, patience());
      expect(listed.map((e) => e.executionName)).toEqual([second.execution.executionName, first.execution.executionName]);
      expect(listed[0]).toMatchObject({ status: 'Failed', end: { status: 'Failed' } });
      expect(listed[1]).toMatchObject({ status: 'Succeeded', end: { status: 'Succeeded' } });
      expect(listed[0]!.envNames).toEqual(expect.arrayContaining(['GREETING', 'CONTRACT']));
    });

    it('answers the last rows with tail, and only rows inside since and until', async () => {
      const { execution } = await runToEnd(fiveLines);
      const q = { jobName: execution.jobName };
      const all = await logsUntil(q, (r) => r.length >= 5);
      expect(all.map((r) => r.line).sort()).toEqual(fiveLines.stdout);

      const tail = await cloud.queryLogs({ ...q, tail: 2 }, patience());
      expect(tail).toEqual(all.slice(-2));

      // Bounds halfway between two rows whose times differ, so they don't depend on the stored precision.
      const times = [...new Set(all.map((r) => Date.parse(r.time)))];
      expect(times.length).toBeGreaterThan(2);
      const since = new Date((times[0]! + times[1]!) / 2);
      const until = new Date((times[times.length - 2]! + times[times.length - 1]!) / 2);
      expect(await cloud.queryLogs({ ...q, since }, patience())).toEqual(all.filter((r) => Date.parse(r.time) >= since.getTime()));
      expect(await cloud.queryLogs({ ...q, until }, patience())).toEqual(all.filter((r) => Date.parse(r.time) <= until.getTime()));
    });

    it('keeps the rows of another execution of the same job out when asked for one execution', async () => {
      const id = containerId();
      const one: Program = { stdout: ['first run'], stderr: [], exitCode: 0 };
      const two: Program = { stdout: ['second run'], stderr: [], exitCode: 0 };
      const first = await runToEnd(one, jobSpec(target, one, id));
      const second = await runToEnd(two, jobSpec(target, two, id));
      await logsUntil({ jobName: first.execution.jobName }, (r) => r.length >= 2);
      const of = async (e: Execution) => (await cloud.queryLogs({ jobName: e.jobName, executionName: e.executionName }, patience())).map((r) => r.line);
      expect(await of(first.execution)).toEqual(['first run']);
      expect(await of(second.execution)).toEqual(['second run']);
    });

    it('tells when an execution runs, and stops it: its end is Stopped', async () => {
      const execution = await run('sleep');
      let running!: () => void;
      const seenRunning = new Promise<void>((resolve) => (running = resolve));
      const ended = cloud.waitForEnd(execution, patience(), () => running());
      await seenRunning;
      await cloud.stopExecution(execution, patience());
      const end = await ended;
      expect(end.status).toBe('Stopped');
      // A stop sends SIGTERM, which ends `sh` with 128 + 15.
      if (target.exitCodes) expect(end.exitCode).toBe(143);
    });

    it('deletes a job: it leaves the listing with its executions, and a second delete or a stop afterwards is fine', async () => {
      const { execution } = await runToEnd(succeeding);
      await cloud.deleteJob(execution.jobName, patience());
      const jobs = await cloud.listManagedJobs(patience());
      expect(jobs.map((j) => j.jobName)).not.toContain(execution.jobName);
      expect(await cloud.listExecutions(execution.jobName, patience())).toEqual([]);
      await expect(cloud.deleteJob(execution.jobName, patience())).resolves.toBeUndefined();
      await expect(cloud.stopExecution(execution, patience())).resolves.toBeUndefined();
    });

    it('ends a wait whose job is deleted under it, and a wait begun afterwards, with a failed or stopped end', async () => {
      const execution = await run('sleep');
      const ended = cloud.waitForEnd(execution, patience());
      await cloud.deleteJob(execution.jobName, patience());
      expect(['Failed', 'Stopped']).toContain((await ended).status);
      expect(['Failed', 'Stopped']).toContain((await cloud.waitForEnd(execution, patience())).status);
    });

    it('gives up a wait when its signal aborts, with the signal\'s reason', async () => {
      const execution = await run('sleep');
      const abort = new AbortController();
      const waiting = cloud.waitForEnd(execution, abort.signal);
      const reason = new Error('the contract stopped waiting');
      abort.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      await cloud.stopExecution(execution, patience());
    });

    it('lists no executions of a job that does not exist', async () => {
      expect(await cloud.listExecutions(`sockerless-${containerId().slice(0, 12)}`, patience())).toEqual([]);
    });
  });
}
