export { AGENT_WAIT_MS, cloudRetryDelayMs, containerMachine, FIXED_NOW, MAX_CLOUD_ATTEMPTS, withClock, ZERO_TIME, type Now } from './machine';
export { OWN_JOB_KIND } from './cloud-retry';
export { dockerStatus, type DockerStatus } from './status';
export { exitCodeOf, startFailureCode } from './exit-code';
export { normalizeSignal, signalNumber } from './signals';
export type * from './types';
export { hasProbes, MAX_HEALTH_LOG, MAX_HEALTH_OUTPUT, probeArgv, type Health, type Healthcheck, type HealthResult, type HealthStatus, type ProbeInput } from './health';
export type * from './events';
