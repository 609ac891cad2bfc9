import type { Execution } from './executions';
import type { ExecutionTemplate } from './job-schema';

/**
 * ACA keeps a bounded history per job: beyond `limit`, the oldest ended executions are
 * forgotten (GET answers 404, the list no longer has them). Running ones are never dropped.
 * `executions` is in start order (a Map keeps insertion order).
 */
export function dropOldExecutions(executions: Map<string, Execution>, limit: number): void {
  let excess = executions.size - limit;
  if (excess <= 0) return;
  for (const [name, execution] of executions) {
    if (excess <= 0) break;
    if (!execution.terminal) continue;
    executions.delete(name);
    excess--;
  }
}

/** The images a replica of `template` pulls: init containers' first, in order, then the containers'. */
export function templateImages(template: ExecutionTemplate): string[] {
  return [...(template.initContainers ?? []), ...(template.containers ?? [])].map((c) => c.image);
}
