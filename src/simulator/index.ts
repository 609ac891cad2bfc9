export { startSimulator } from './simulator';
export type { Simulator, SimulatorChange } from './simulator';
export type { Latency, SimulatorLogger, SimulatorOptions } from './options';
export type { SimulatorStats } from './stats';
export type { ArmThrottle, FaultKind, FaultPlan, FaultRule } from './faults';
export type { EnvironmentFacts, WorkloadProfileFacts } from './validation/facts';
