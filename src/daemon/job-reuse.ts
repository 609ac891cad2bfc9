// The job reuse settings, from the environment.

export interface JobReuseSettings {
  /** SOCKERLESS_JOB_REUSE=on|off (default on): containers of one job shape share an ACA job. */
  on: boolean;
  /** SOCKERLESS_JOB_IDLE_MS (default 10 minutes): how long a shared job stays unused before reconciliation deletes it. */
  idleMs: number;
}

export function jobReuseFromEnv(env: NodeJS.ProcessEnv): JobReuseSettings {
  const raw = (env.SOCKERLESS_JOB_REUSE ?? '').trim().toLowerCase();
  if (!['', 'on', 'off', 'true', 'false', '1', '0'].includes(raw)) {
    throw new Error(`SOCKERLESS_JOB_REUSE must be on or off, not ${env.SOCKERLESS_JOB_REUSE}`);
  }
  const idleRaw = env.SOCKERLESS_JOB_IDLE_MS;
  const idleMs = idleRaw === undefined || idleRaw === '' ? 600_000 : Number(idleRaw);
  if (!Number.isSafeInteger(idleMs) || idleMs < 0) throw new Error(`SOCKERLESS_JOB_IDLE_MS must be a non-negative integer, not ${idleRaw}`);
  return { on: !['off', 'false', '0'].includes(raw), idleMs };
}
