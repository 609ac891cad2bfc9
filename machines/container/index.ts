export { AGENT_WAIT_MS, cloudRetryDelayMs, containerMachine, ZERO_TIME } from './machine';
export { dockerStatus, type DockerStatus } from './status';
export { exitCodeOf, startFailureCode } from './exit-code';
export { normalizeSignal, signalNumber } from './signals';
export type * from './types';
