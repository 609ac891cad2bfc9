export { createAcaCloud } from './aca-cloud';
export { armBudgetOf } from './clients';
export type { ChangeHints } from './aca-cloud';
export { terminalStatuses } from './cloud';
export type {
  Cloud, Execution, ExecutionEnd, ExecutionStatus, JobSpec, LogQuery, LogRow, Stream,
} from './cloud';
export { acaConfigForSimulator, acaConfigFrom, describeTarget } from './connect';
export type { SimulatorEndpoint } from './connect';
export { CloudError, classifyCloudFailure, isCloudError, isNotFound, isRetryable } from './errors';
export type { CloudErrorKind } from './errors';
