import { badRequest, notFound } from './errors';
import { Execution } from './executions';
import type { ExecutionInput, ExecutionServices } from './executions';
import { environmentId, jobId, normalizeLocation, randomLowerAlnum } from './ids';
import type { ContainerSpec, ExecutionTemplate, JobBody, Secret } from './job-schema';
import type { SimulatorSettings } from './options';
import { missingRegistrySecret, pullFailure, registryCredentials } from './registry-access';
import { invalidResourceTotal } from './resource-total';
import { dropOldExecutions, templateImages } from './execution-history';

/** ACA's rule for job names (it also bounds the `{job}-{7}` execution names). */
const JOB_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

export interface JobRecord {
  name: string;
  body: JobBody;
  createdAt: Date;
  lastModifiedAt: Date;
  /** provisioningState is InProgress until then (realistic mode), Succeeded after. */
  readyAt: number;
  /** Set by DELETE: provisioningState is Deleting until then, and the job is gone after. */
  deletedAt: number | undefined;
  executions: Map<string, Execution>;
}

function checkSecretRefs(containers: ContainerSpec[], secrets: Secret[]): void {
  for (const container of containers) {
    for (const variable of container.env ?? []) {
      if (variable.secretRef !== undefined && !secrets.some((s) => s.name === variable.secretRef)) {
        throw badRequest(
          'ContainerAppSecretRefNotFound',
          `Container '${container.name}': env '${variable.name}' references secret '${variable.secretRef}', which the job does not define.`,
        );
      }
    }
  }
}

/** The jobs of the one resource group, with their executions. Names compare case-insensitively, as in ARM. */
export class JobStore {
  #jobs = new Map<string, JobRecord>();
  /** Executions not yet ended, including those of deleted jobs (close() waits for them). */
  #live = new Set<Execution>();
  #settings: SimulatorSettings;
  #services: ExecutionServices;

  constructor(services: ExecutionServices) {
    this.#services = services;
    this.#settings = services.settings;
  }

  /** ARM's and ACA's synchronous checks of a PUT body (400/404 before anything is stored). */
  check(name: string, body: JobBody): void {
    if (!JOB_NAME.test(name)) {
      throw badRequest(
        'ContainerAppInvalidName',
        `Invalid job name '${name}': use 2 to 32 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit.`,
      );
    }
    if (normalizeLocation(body.location) !== normalizeLocation(this.#settings.location)) {
      throw badRequest('LocationMismatch', `The job's location '${body.location}' differs from the managed environment's location '${this.#settings.location}'.`);
    }
    if (body.properties.environmentId.toLowerCase() !== environmentId(this.#settings).toLowerCase()) {
      throw notFound('ManagedEnvironmentNotFound', `Managed environment '${body.properties.environmentId}' was not found.`);
    }
    checkSecretRefs(body.properties.template.containers, body.properties.configuration.secrets ?? []);
    const registrySecret = missingRegistrySecret(body);
    if (registrySecret) throw badRequest('ContainerAppSecretRefNotFound', registrySecret);
    // strictValidation checked resources against the environment's profiles already.
    const resources = this.#settings.strictValidation ? undefined : invalidResourceTotal(body.properties.template.containers);
    if (resources) throw badRequest('ContainerAppInvalidResourceTotal', resources);
  }

  /** Validates and stores a PUT body; `readyAt` is when provisioning completes. */
  put(name: string, body: JobBody, readyAt: number): { created: boolean } {
    this.check(name, body);
    const existing = this.find(name);
    const now = new Date();
    if (existing && existing.deletedAt === undefined) {
      existing.body = body;
      existing.lastModifiedAt = now;
      existing.readyAt = readyAt;
      return { created: false };
    }
    if (existing) this.#jobs.delete(name.toLowerCase());
    this.#jobs.set(name.toLowerCase(), {
      name, body, createdAt: now, lastModifiedAt: now, readyAt, deletedAt: undefined, executions: new Map(),
    });
    return { created: true };
  }

  /** The resource a PUT of `body` answers while provisioning, without storing anything (a write that will not take effect). */
  preview(name: string, body: JobBody): object {
    this.check(name, body);
    const now = new Date();
    return this.toResource({ name, body, createdAt: now, lastModifiedAt: now, readyAt: Infinity, deletedAt: undefined, executions: new Map() });
  }

  find(name: string): JobRecord | undefined {
    this.#sweep();
    return this.#jobs.get(name.toLowerCase());
  }

  get(name: string): JobRecord {
    const job = this.find(name);
    if (!job) throw notFound('ResourceNotFound', `The Resource 'Microsoft.App/jobs/${name}' under resource group '${this.#settings.resourceGroup}' was not found.`);
    return job;
  }

  list(): JobRecord[] {
    this.#sweep();
    return [...this.#jobs.values()];
  }

  /**
   * Kills the job's running executions; the job is gone at `goneAt` (now in instant mode).
   * Resolves once those executions ended, their replicas cleaned up; undefined when there is no such job.
   */
  delete(name: string, goneAt: number): Promise<void> | undefined {
    const job = this.find(name);
    if (!job) return undefined;
    const executions = [...job.executions.values()];
    for (const execution of executions) execution.kill();
    job.deletedAt ??= goneAt;
    this.#sweep();
    return Promise.all(executions.map((execution) => execution.ended)).then(() => undefined);
  }

  /** The checks of `start`: the job exists and the template's secret references resolve. */
  checkStart(name: string, override: ExecutionTemplate | undefined): void {
    this.#executionInput(this.get(name), override);
  }

  /**
   * Creates `{job}-{7 random}` and starts it once its replica is scheduled and its images pulled
   * (the profile's timing); `hold` keeps it Processing until stopped (a fault).
   */
  start(name: string, override: ExecutionTemplate | undefined, hold = false): Execution {
    const job = this.get(name);
    const input = this.#executionInput(job, override);
    const execution = new Execution(input, this.#services);
    job.executions.set(execution.name, execution);
    dropOldExecutions(job.executions, this.#services.timing.executionHistory());
    this.#live.add(execution);
    execution.ended.then(() => this.#live.delete(execution));
    if (hold) execution.hold();
    else execution.start(this.#services.timing.processingMs(templateImages(input.template)));
    return execution;
  }

  #executionInput(job: JobRecord, override: ExecutionTemplate | undefined): ExecutionInput {
    const { configuration, template } = job.body.properties;
    const secrets = configuration.secrets ?? [];
    const containers = override?.containers ?? template.containers;
    checkSecretRefs(containers, secrets);
    return {
      jobName: job.name,
      name: `${job.name}-${randomLowerAlnum(7)}`,
      template: { ...template, ...override, containers },
      secrets,
      replicaTimeoutSeconds: configuration.replicaTimeout,
      pullFailure: [...(override?.initContainers ?? template.initContainers ?? []), ...containers]
        .map((c) => pullFailure(c, job.body, this.#settings.privateRegistries, this.#settings.strictValidation ? { jobCreatedAt: job.createdAt.getTime(), now: Date.now() } : undefined))
        .find((f) => f !== undefined),
      registryAuth: (image) => registryCredentials(job.body, image),
    };
  }

  execution(jobName: string, executionName: string): Execution {
    const execution = this.get(jobName).executions.get(executionName);
    if (!execution) {
      throw notFound('ResourceNotFound', `The Resource 'Microsoft.App/jobs/${jobName}/executions/${executionName}' was not found.`);
    }
    return execution;
  }

  /** Executions newest first, optionally only those whose status is in `statuses`. */
  executions(jobName: string, statuses?: ReadonlySet<string>): Execution[] {
    const all = [...this.get(jobName).executions.values()].reverse();
    return statuses ? all.filter((e) => statuses.has(e.status)) : all;
  }

  /** Executions that have not ended yet. */
  liveExecutions(): Execution[] {
    return [...this.#live];
  }

  /** The job as GET serves it (Job_Get.json): secret values are never served back. */
  toResource(job: JobRecord): object {
    const now = Date.now();
    const { location, tags, properties } = job.body;
    const { configuration } = properties;
    const provisioningState = job.deletedAt !== undefined ? 'Deleting' : now >= job.readyAt ? 'Succeeded' : 'InProgress';
    const manualDefaults = configuration.triggerType === 'Manual' ? { manualTriggerConfig: { replicaCompletionCount: 1, parallelism: 1 } } : {};
    return {
      id: jobId(this.#settings, job.name),
      name: job.name,
      type: 'Microsoft.App/jobs',
      location,
      ...(tags ? { tags } : {}),
      systemData: {
        createdBy: this.#settings.clientId,
        createdByType: 'Application',
        createdAt: job.createdAt.toISOString(),
        lastModifiedBy: this.#settings.clientId,
        lastModifiedByType: 'Application',
        lastModifiedAt: job.lastModifiedAt.toISOString(),
      },
      properties: {
        ...properties,
        provisioningState,
        runningState: provisioningState === 'Succeeded' ? 'Ready' : 'Progressing',
        configuration: {
          replicaRetryLimit: 0,
          ...manualDefaults,
          ...configuration,
          ...(configuration.secrets ? { secrets: configuration.secrets.map(({ value: _value, ...secret }) => secret) } : {}),
        },
        outboundIpAddresses: [],
        eventStreamEndpoint: `https://${normalizeLocation(location)}.azurecontainerapps.dev${jobId(this.#settings, job.name)}/eventstream`,
      },
    };
  }

  names(): string[] {
    return this.list().map((job) => job.name);
  }

  /** Drops jobs whose deletion has completed. */
  #sweep(): void {
    const now = Date.now();
    for (const [key, job] of this.#jobs) {
      if (job.deletedAt !== undefined && job.deletedAt <= now) this.#jobs.delete(key);
    }
  }
}
