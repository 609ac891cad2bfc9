export { startSimulator } from './simulator';
export type { ProfileInForce, Simulator, SimulatorChange } from './simulator';
export type { Latency, SimulatorLogger, SimulatorOptions } from './options';
export type { SimulatorStats } from './stats';
export type { ArmThrottle, FaultKind, FaultPlan, FaultRule } from './faults';
export type { EnvironmentFacts, WorkloadProfileFacts } from './validation/facts';
export type { EnvironmentType, LogDestination, WorkloadProfile } from './options';
export { FIGURES, FIGURE_NAMES } from './profile/figures';
export type { FigureName } from './profile/figures';
