// What the Cloud contract suite needs from one implementation: the cloud, how to describe a
// process as a job, and (for the fake, which runs nothing) how to play that process.
import { randomBytes } from 'node:crypto';
import type { Cloud, Execution, JobSpec } from '../../src/aca/cloud';

/** A process the suite runs: lines to stdout, then lines to stderr, then an exit code; `sleep` runs until stopped. */
export type Program = { stdout: string[]; stderr: string[]; exitCode: number } | 'sleep';

export interface ContractTarget {
  readonly name: string;
  readonly cloud: Cloud;
  /** The image every job runs (the simulator ignores it; Azure pulls it). */
  readonly image: string;
  /** The fake plays the program (its rows, then its end); a real cloud runs it by itself. */
  play(execution: Execution, program: Program): void;
  /** How long an execution may take to end, and its log rows to become queryable. */
  readonly patienceMs: number;
  /** Whether the ends of executions carry the main container's exit code. */
  readonly exitCodes: boolean;
  /** Jobs the suite made that are still there are deleted by the suite; then this. */
  close(): Promise<void>;
}

/** Seconds between two lines the program writes: wide enough that the rows' times differ. */
const LINE_GAP = 0.3;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The shell script a real cloud runs for a program. */
export function script(program: Program): string {
  if (program === 'sleep') return 'sleep 600';
  const lines = [...program.stdout.map((l) => `echo ${quote(l)}`), ...program.stderr.map((l) => `echo ${quote(l)} >&2`)];
  return [...lines.flatMap((l, i) => (i === 0 ? [l] : [`sleep ${LINE_GAP}`, l])), `exit ${program.exitCode}`].join('; ');
}

/** A fresh container id: 64 hex digits, the job named after its first 12. */
export const containerId = () => randomBytes(32).toString('hex');

export function jobSpec(target: ContractTarget, program: Program, id = containerId()): JobSpec {
  return {
    jobName: `sockerless-${id.slice(0, 12)}`,
    containerId: id,
    image: target.image,
    command: ['sh', '-c'],
    args: [script(program)],
    env: [{ name: 'GREETING', value: 'hello' }, { name: 'CONTRACT', value: 'cloud' }],
    cpu: 0.5,
    memory: '1Gi',
    replicaTimeout: 600,
    tags: { 'sockerless-test': 'cloud-contract' },
  };
}
