export { startSimulator } from './simulator';
export type { ProfileInForce, Simulator, SimulatorChange } from './simulator';
export type { Latency, SimulatorLogger, SimulatorOptions } from './options';
export type { SimulatorStats } from './stats';
export type { ArmThrottle, FaultKind, FaultPlan, FaultRule } from './faults';
export type { EnvironmentType, LogDestination, WorkloadProfile } from './options';
export { simulatorProfileFromEnv } from './profile/settings-from-text';
export { FIGURES, FIGURE_NAMES } from './profile/figures';
export type { FigureName } from './profile/figures';
