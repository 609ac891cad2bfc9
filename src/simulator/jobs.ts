import type { Context } from 'hono';

import { badRequest } from './errors';
import type { Execution } from './executions';
import type { FaultKind } from './faults';
import { executionId } from './ids';
import { executionTemplateSchema, jobBodySchema } from './job-schema';
import type { JobStore } from './job-store';
import type { FinalAnswer, OperationRegistry } from './operations';
import type { SimulatorSettings } from './options';
import type { Timing } from './profile/timing';
import { parseBody, readJsonBody } from './routing';
import { checkJobPut, checkJobStart, startQuotaError } from './validation/strict';
import { imageAccessError, provisioningFailure } from './validation/provisioning';
import type { ArmError } from './validation/arm-error';
import type { RouteSpec } from './routing';

const JOBS = '/subscriptions/:subscriptionId/resourceGroups/:resourceGroupName/providers/Microsoft.App/jobs';

/** `properties/status eq 'Running'` clauses joined by `or`: the $filter subset jobsExecutions.list needs. */
function parseStatusFilter(filter: string | undefined): ReadonlySet<string> | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const statuses = new Set<string>();
  for (const clause of filter.split(/\s+or\s+/i)) {
    const match = /^\s*properties\/status\s+eq\s+'([A-Za-z]+)'\s*$/i.exec(clause);
    if (!match) throw badRequest('InvalidFilter', `Unsupported $filter '${filter}': use properties/status eq '<status>' [or …].`);
    statuses.add(match[1]!);
  }
  return statuses;
}

const origin = (c: Context): string => new URL(c.req.url).origin;

type LroFault = 'lro-failed' | 'lro-stuck';
const LRO_FAULTS: readonly FaultKind[] = ['lro-failed', 'lro-stuck'];
const isLroFault = (fault: FaultKind | undefined): fault is LroFault => fault === 'lro-failed' || fault === 'lro-stuck';

/**
 * The Container Apps Jobs operations the daemon's SDK client calls. In instant mode every write is
 * complete in its first response; in realistic mode each is a long-running operation.
 */
export function jobRoutes(settings: SimulatorSettings, store: JobStore, operations: OperationRegistry, timing: Timing): RouteSpec[] {
  const realistic = settings.latency === 'realistic';
  const executionBase = (e: Execution) => ({ id: executionId(settings, e.jobName, e.name), name: e.name });

  /**
   * The headers of a write whose operation fails or never ends (in both latency modes): the
   * status monitor, which the SDK polls first, and for POST/DELETE the result URL too. The
   * caller does not apply the write.
   */
  function faultedOperation(c: Context, fault: LroFault, final: FinalAnswer, withLocation: boolean): void {
    const id = operations.create(final, fault === 'lro-failed' ? 'fail' : 'stuck');
    c.header('Azure-AsyncOperation', operations.statusUrl(origin(c), id));
    if (withLocation) c.header('Location', operations.resultUrl(origin(c), id));
  }

  /**
   * A refusal found while provisioning (validation/provisioning.ts): thrown (400) where writes
   * complete in their first answer; in realistic mode the write is accepted and its operation
   * ends Failed after its usual length, the write not applied.
   */
  function refuseByOperation(c: Context, refused: ArmError, what: string, final: FinalAnswer, durationMs: number, withLocation: boolean): void {
    if (!realistic) throw refused;
    const id = operations.create(final, 'fail', durationMs, provisioningFailure(what, refused));
    c.header('Azure-AsyncOperation', operations.statusUrl(origin(c), id));
    if (withLocation) c.header('Location', operations.resultUrl(origin(c), id));
  }

  return [
    {
      method: 'GET',
      path: JOBS,
      operation: 'Jobs_ListByResourceGroup',
      kind: 'read',
      audience: 'arm',
      handle: (c) => c.json({ value: store.list().map((job) => store.toResource(job)) }),
    },
    {
      method: 'GET',
      path: '/subscriptions/:subscriptionId/providers/Microsoft.App/jobs',
      operation: 'Jobs_ListBySubscription',
      kind: 'read',
      audience: 'arm',
      handle: (c) => c.json({ value: store.list().map((job) => store.toResource(job)) }),
    },
    {
      method: 'GET',
      path: `${JOBS}/:jobName`,
      operation: 'Jobs_Get',
      kind: 'read',
      audience: 'arm',
      handle: (c) => c.json(store.toResource(store.get(c.req.param('jobName')!))),
    },
    {
      method: 'PUT',
      path: `${JOBS}/:jobName`,
      operation: 'Jobs_CreateOrUpdate',
      kind: 'write',
      audience: 'arm',
      faultHooks: LRO_FAULTS,
      async handle(c, fault) {
        const name = c.req.param('jobName')!;
        const raw = await readJsonBody(c);
        if (settings.strictValidation) checkJobPut(name, raw, settings.environmentFacts, settings.environment);
        const body = parseBody(jobBodySchema, raw, 'job');
        const refused = settings.strictValidation
          ? imageAccessError([...(body.properties.template.initContainers ?? []), ...body.properties.template.containers], body, settings.privateRegistries)
          : undefined;
        if (refused) {
          const resource = store.preview(name, body);
          const created = store.find(name) === undefined;
          refuseByOperation(c, refused, `job '${name}'`, { status: 200, body: resource }, timing.operationMs('jobPut'), false);
          return c.json(resource, created ? 201 : 200);
        }
        if (isLroFault(fault)) {
          const resource = store.preview(name, body);
          const created = store.find(name) === undefined;
          faultedOperation(c, fault, { status: 200, body: resource }, false);
          return c.json(resource, created ? 201 : 200);
        }
        // The azure profile's PUT is as long whether or not anything changed.
        const lroMs = timing.operationMs('jobPut');
        const { created } = store.put(name, body, Date.now() + lroMs);
        const resource = store.toResource(store.get(name));
        if (realistic) {
          // The SDK polls the status monitor, then GETs the job URL for the result.
          const id = operations.create({ status: 200, body: resource }, 'succeed', lroMs);
          c.header('Azure-AsyncOperation', operations.statusUrl(origin(c), id));
        }
        return c.json(resource, created ? 201 : 200);
      },
    },
    {
      method: 'DELETE',
      path: `${JOBS}/:jobName`,
      operation: 'Jobs_Delete',
      kind: 'write',
      audience: 'arm',
      faultHooks: LRO_FAULTS,
      async handle(c, fault) {
        if (isLroFault(fault)) {
          faultedOperation(c, fault, { status: 204 }, true);
          return c.body(null, 202);
        }
        const name = c.req.param('jobName')!;
        const lroMs = timing.operationMs('jobDelete');
        const deleted = store.delete(name, Date.now() + lroMs);
        // ARM answers 204 for a resource that is not there: deletes are idempotent.
        if (!deleted) return c.body(null, 204);
        // A deleted job's replicas are gone, mounts and directories too, by the time the delete is answered.
        await deleted;
        if (!realistic) return c.body(null, 200);
        c.header('Location', operations.resultUrl(origin(c), operations.create({ status: 204 }, 'succeed', lroMs)));
        return c.body(null, 202);
      },
    },
    {
      method: 'POST',
      path: `${JOBS}/:jobName/start`,
      operation: 'Jobs_Start',
      kind: 'write',
      audience: 'arm',
      faultHooks: [...LRO_FAULTS, 'execution-stuck'],
      async handle(c, fault) {
        const name = c.req.param('jobName')!;
        const raw = await readJsonBody(c);
        if (settings.strictValidation) checkJobStart(raw, store.get(name).body, settings.environmentFacts, settings.environment);
        const override = raw === undefined ? undefined : parseBody(executionTemplateSchema, raw, 'execution template');
        if (settings.strictValidation) {
          const job = store.get(name).body;
          const { template } = job.properties;
          const containers = [...(override?.initContainers ?? template.initContainers ?? []), ...(override?.containers ?? template.containers)];
          const refused = imageAccessError(containers, job, settings.privateRegistries) ?? startQuotaError(raw, job, store.liveExecutions(), settings.environmentFacts);
          if (refused) {
            store.checkStart(name, override);
            refuseByOperation(c, refused, `an execution of job '${name}'`, { status: 200 }, timing.operationMs('jobStart'), true);
            return c.body(null, 202);
          }
        }
        if (isLroFault(fault)) {
          store.checkStart(name, override);
          faultedOperation(c, fault, { status: 200 }, true);
          return c.body(null, 202);
        }
        const execution = store.start(name, override, fault === 'execution-stuck');
        if (!realistic) return c.json(executionBase(execution), 200);
        const lroMs = timing.operationMs('jobStart');
        c.header('Location', operations.resultUrl(origin(c), operations.create({ status: 200, body: executionBase(execution) }, 'succeed', lroMs)));
        return c.body(null, 202);
      },
    },
    {
      method: 'GET',
      path: `${JOBS}/:jobName/executions`,
      operation: 'JobsExecutions_List',
      kind: 'read',
      audience: 'arm',
      handle(c) {
        const statuses = parseStatusFilter(c.req.query('$filter'));
        return c.json({ value: store.executions(c.req.param('jobName')!, statuses).map((e) => e.toResource()) });
      },
    },
    {
      method: 'GET',
      path: `${JOBS}/:jobName/executions/:jobExecutionName`,
      operation: 'JobExecution',
      kind: 'read',
      audience: 'arm',
      handle: (c) => c.json(store.execution(c.req.param('jobName')!, c.req.param('jobExecutionName')!).toResource()),
    },
    {
      method: 'POST',
      path: `${JOBS}/:jobName/executions/:jobExecutionName/stop`,
      operation: 'Jobs_StopExecution',
      kind: 'write',
      audience: 'arm',
      faultHooks: LRO_FAULTS,
      handle(c, fault) {
        const execution = store.execution(c.req.param('jobName')!, c.req.param('jobExecutionName')!);
        if (isLroFault(fault)) {
          faultedOperation(c, fault, { status: 200 }, true);
          return c.body(null, 202);
        }
        execution.stop();
        if (!realistic) return c.body(null, 200);
        // Never 204 here: the SDK's stopExecution accepts only 200, 201 and 202.
        c.header('Location', operations.resultUrl(origin(c), operations.create({ status: 200 }, 'succeed', timing.operationMs('stopExecution'))));
        return c.body(null, 202);
      },
    },
  ];
}
