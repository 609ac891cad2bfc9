// Model-based tests of the container lifecycle: paths derived from the real container machine,
// each run on the pure machine (doubles) and on a real daemon on the embedded simulator.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createActor, type AnyMachineSnapshot } from 'xstate';
import { containerMachine } from '../../machines/container';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { containerInput } from '../machines/harness';
import { DaemonDriver } from './daemon-driver';
import { ExitControl } from './exit-control';
import { GatedCloud } from './gated-cloud';
import { planPaths } from './plan';
import { PureDriver } from './pure-driver';
import { describePath, runPath } from './run-path';
import { label } from './transitions';

const input = containerInput();
const plan = planPaths(containerMachine, input);
const initial = createActor(containerMachine, { input }).getSnapshot() as AnyMachineSnapshot;
const pureTaken = new Set<string>();
const daemonTaken = new Set<string>();

describe(`container lifecycle, pure machine (${plan.paths.length} paths over ${plan.states} states)`, () => {
  for (const path of plan.paths) {
    it(describePath(path), async () => {
      const driver = new PureDriver(input);
      try {
        await runPath(containerMachine, initial, path, driver);
      } finally {
        for (const k of driver.watch.taken) pureTaken.add(k);
      }
    });
  }
});

describe(`container lifecycle, daemon on the embedded simulator (${plan.paths.length} paths)`, () => {
  let d: TestDaemon;
  let gate: GatedCloud;
  let exits: ExitControl;
  beforeAll(async () => {
    exits = await ExitControl.start();
    // A long grace: the test, not the simulator's timer, decides when a stopped process ends.
    // The model is the chart without an agent (exits and stops through ACA); agent rules have their own tests.
    d = await startTestDaemon({ env: { SOCKERLESS_AGENT: 'off' }, simulator: { stopGraceMs: 60_000 }, wrapCloud: (cloud) => (gate = new GatedCloud(cloud)).cloud });
    await d.cli(['pull', 'alpine']);
  });
  afterAll(async () => {
    await d?.close();
    await exits?.close();
  });

  plan.paths.forEach((path, n) => {
    it(describePath(path), async () => {
      const driver = new DaemonDriver(d, gate, exits, n);
      try {
        await runPath(containerMachine, initial, path, driver);
      } finally {
        for (const k of driver.watch.taken) daemonTaken.add(k);
      }
    });
  });
});

afterAll(() => {
  const total = plan.transitions.length;
  const count = (taken: Set<string>) => plan.transitions.filter((t) => taken.has(t.key)).length;
  const missed = plan.transitions.filter((t) => !daemonTaken.has(t.key) || !pureTaken.has(t.key));
  const unreachable = new Set(plan.unreachable);
  const notes = missed.map((t) => `  ${label(t)}: ${unreachable.has(t) ? 'no explored path reaches it' : `taken by ${pureTaken.has(t.key) ? 'pure' : daemonTaken.has(t.key) ? 'daemon' : 'neither'} run only`}`);
  console.log([`container machine transition coverage — daemon: ${count(daemonTaken)}/${total}, pure: ${count(pureTaken)}/${total}`, ...notes].join('\n'));
});
