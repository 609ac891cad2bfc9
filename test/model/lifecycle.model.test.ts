// Model-based tests of the container lifecycle: paths derived from the real container machine,
// each run on the pure machine (doubles) and on a real daemon on the embedded simulator.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createActor, type AnyMachineSnapshot } from 'xstate';
import { containerMachine } from '../../machines/container';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { containerInput } from '../machines/harness';
import { daemonCanTake, DaemonDriver } from './daemon-driver';
import { ExitControl } from './exit-control';
import { GatedCloud } from './gated-cloud';
import { planPaths } from './plan';
import { PureDriver } from './pure-driver';
import { describePath, runPath } from './run-path';
import { label } from './transitions';

const input = containerInput();
const plan = planPaths(containerMachine, input);
const daemonPlan = planPaths(containerMachine, input, daemonCanTake(containerMachine));
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

describe(`container lifecycle, daemon on the embedded simulator (${daemonPlan.paths.length} paths over ${daemonPlan.states} states)`, () => {
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

  daemonPlan.paths.forEach((path, n) => {
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
  const keys = (ts: { key: string }[]) => new Set(ts.map((t) => t.key));
  const [nowhere, notOnDaemon] = [keys(plan.unreachable), keys(daemonPlan.unreachable)];
  const unreachable = plan.unreachable.map((t) => `  unreachable (no explored path takes it): ${label(t)}`);
  const agentOnly = [...notOnDaemon].filter((k) => !nowhere.has(k)).length;
  const lost = plan.transitions.filter((t) => !nowhere.has(t.key) && (!pureTaken.has(t.key) || (!notOnDaemon.has(t.key) && !daemonTaken.has(t.key))));
  const notes = [
    ...unreachable,
    ...lost.map((t) => `  planned but not taken by ${pureTaken.has(t.key) ? 'the daemon' : 'the pure'} run: ${label(t)}`),
  ];
  console.log([
    `container machine transition coverage — daemon: ${count(daemonTaken)}/${total} (${agentOnly} need agent events, pure run only), pure: ${count(pureTaken)}/${total}`,
    ...notes,
  ].join('\n'));
});
