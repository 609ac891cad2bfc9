import { z } from 'zod';

// Wire shapes of the request bodies the Azure SDK sends. Objects are loose so fields the simulator
// does not act on (probes, volumes, identity…) are kept and served back as they were sent.

const envVarSchema = z.looseObject({
  name: z.string().min(1),
  value: z.string().optional(),
  secretRef: z.string().optional(),
});

const containerSchema = z.looseObject({
  image: z.string().min(1),
  name: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVarSchema).optional(),
  resources: z.looseObject({ cpu: z.number().positive().optional(), memory: z.string().optional() }).optional(),
});

export const jobTemplateSchema = z.looseObject({
  containers: z.array(containerSchema).min(1),
  initContainers: z.array(containerSchema).optional(),
});

/** Body of `POST …/start`: a JobExecutionTemplate that overrides the job's template. */
export const executionTemplateSchema = z.looseObject({
  containers: z.array(containerSchema).min(1).optional(),
  initContainers: z.array(containerSchema).optional(),
});

const secretSchema = z.looseObject({
  name: z.string().min(1),
  value: z.string().optional(),
});

const configurationSchema = z.looseObject({
  secrets: z.array(secretSchema).optional(),
  triggerType: z.enum(['Manual', 'Schedule', 'Event']),
  replicaTimeout: z.int().min(1),
  replicaRetryLimit: z.int().min(0).optional(),
  manualTriggerConfig: z
    .looseObject({ replicaCompletionCount: z.int().min(1).optional(), parallelism: z.int().min(1).optional() })
    .optional(),
});

export const jobBodySchema = z.looseObject({
  location: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  properties: z.looseObject({
    environmentId: z.string().min(1),
    workloadProfileName: z.string().optional(),
    configuration: configurationSchema,
    template: jobTemplateSchema,
  }),
});

export type EnvVar = z.infer<typeof envVarSchema>;
export type ContainerSpec = z.infer<typeof containerSchema>;
export type JobTemplate = z.infer<typeof jobTemplateSchema>;
export type ExecutionTemplate = z.infer<typeof executionTemplateSchema>;
export type Secret = z.infer<typeof secretSchema>;
export type JobConfiguration = z.infer<typeof configurationSchema>;
export type JobBody = z.infer<typeof jobBodySchema>;
