// The fake cloud of the persistence tests as a contract target: it runs nothing, so the target
// plays each program (its rows, then its end) as the process would.
import { FakeCloud } from '../persistence/fake-cloud';
import type { ContractTarget, Program } from './target';
import type { Execution } from '../../src/aca/cloud';

export function fakeTarget(): ContractTarget {
  const cloud = new FakeCloud();
  return {
    name: 'fake',
    cloud,
    image: 'busybox:latest',
    patienceMs: 5_000,
    exitCodes: true,
    play(execution: Execution, program: Program): void {
      if (program === 'sleep') return;
      for (const line of program.stdout) cloud.log(execution, 'stdout', line);
      for (const line of program.stderr) cloud.log(execution, 'stderr', line);
      cloud.finish(execution, { status: program.exitCode === 0 ? 'Succeeded' : 'Failed', exitCode: program.exitCode });
    },
    close: async () => {},
  };
}
