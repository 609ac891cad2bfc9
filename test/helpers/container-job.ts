// The job a container's current execution runs on, as the simulator stores it, with the template
// that execution ran: an execution of a shared job (job reuse) carries the container's own
// template (Jobs_Start's JobExecutionTemplate), its job only the job-level settings.
import type { TestDaemon } from './daemon';

type Resource = { properties: { template: unknown } & Record<string, unknown> } & Record<string, unknown>;

export async function containerJob<T>(d: TestDaemon, id: string): Promise<T> {
  const info = (await d.docker.getContainer(id).inspect()) as unknown as { Aca: { JobName: string; ExecutionName: string } };
  const sim = d.running.simulator!;
  const job = sim.job(info.Aca.JobName) as Resource | undefined;
  if (!job) throw new Error(`the simulator has no job ${info.Aca.JobName}`);
  const execution = sim.execution(info.Aca.JobName, info.Aca.ExecutionName) as Resource | undefined;
  return { ...job, properties: { ...job.properties, template: execution?.properties.template ?? job.properties.template } } as T;
}
