export { daemonMachine, type DaemonContext, type DaemonEvent } from './machine';
