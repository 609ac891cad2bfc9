import { z } from 'zod';

const strings = z.array(z.string());
/** Docker accepts a bare string for Cmd/Entrypoint (the shell form). */
const command = z.union([strings, z.string().transform((s) => ['/bin/sh', '-c', s])]).nullish();

/** `POST /containers/create`: the fields the daemon uses, validated; the rest passes through. */
export const createBody = z
  .object({
    Hostname: z.string().optional(),
    Domainname: z.string().optional(),
    User: z.string().optional(),
    AttachStdin: z.boolean().optional(),
    AttachStdout: z.boolean().optional(),
    AttachStderr: z.boolean().optional(),
    Tty: z.boolean().optional(),
    OpenStdin: z.boolean().optional(),
    StdinOnce: z.boolean().optional(),
    Env: strings.nullish(),
    Cmd: command,
    Entrypoint: command,
    Image: z.string({ error: 'config must specify an Image' }).min(1, 'config must specify an Image'),
    WorkingDir: z.string().optional(),
    Labels: z.record(z.string(), z.string()).nullish(),
    ExposedPorts: z.record(z.string(), z.object({}).loose()).nullish(),
    StopSignal: z.string().optional(),
    StopTimeout: z.number().int().nullish(),
    HostConfig: z
      .object({
        AutoRemove: z.boolean().optional(),
        RestartPolicy: z.object({ Name: z.string().optional(), MaximumRetryCount: z.number().int().optional() }).nullish(),
        NetworkMode: z.string().optional(),
        PortBindings: z.record(z.string(), z.array(z.object({ HostIp: z.string().optional(), HostPort: z.string().optional() }).loose()).nullable()).nullish(),
        PublishAllPorts: z.boolean().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export type CreateBody = z.infer<typeof createBody>;
