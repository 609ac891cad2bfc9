// Paths through the real container machine: xstate/graph's getAdjacencyMap explores it (pure,
// no actor runs), every explored edge becomes a candidate path (the shortest way to its source,
// then the edge), and a greedy cover picks few candidates that together take every reachable
// transition and reach every explored state.
import { createActor, type ActorScope, type AnyMachineSnapshot, type AnyStateMachine, type AnyTransitionDefinition, type EventObject } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import { modelEvents } from './events';
import { definedTransitions, keyOf, type DefinedTransition } from './transitions';

export interface Step {
  event: EventObject;
  /** The model's snapshot after the event (and its eventless follow-ups). */
  state: AnyMachineSnapshot;
  /** Keys of the transitions the step takes. */
  taken: string[];
}

export interface ModelPath {
  /** Steps after creation (`xstate.init` is implicit). */
  steps: Step[];
}

export interface Plan {
  transitions: DefinedTransition[];
  /** Keys of the transitions the paths take. */
  covered: Set<string>;
  paths: ModelPath[];
  /** Explored states (serialized). */
  states: number;
  /** Defined transitions no explored edge takes. */
  unreachable: DefinedTransition[];
}

// Context that says nothing about which transitions are enabled: names, times, the request
// queues (their ids are all the same in the traversal), and values the assertions track.
const volatileContext = new Set([
  'id', 'name', 'created', 'imageId', 'config', 'jobName', 'execution',
  'startedAt', 'previousStartedAt', 'finishedAt', 'exitCode', 'error', 'restartDelayMs', 'startFailed', 'replies', 'waits',
  // The chart's retry count: its limit is checked by test/machines, the retry edge by the traversal.
  'cloudAttempts',
]);

// Context the guards read only part of: the presence of the agent's report (its exit code is
// what the rules check), the health's status, and the lifecycle settings of HostConfig.
const projections: Record<string, (v: unknown) => unknown> = {
  processExit: (v) => v !== null,
  // The health guards read its status only (the probes' log grows with every probe).
  health: (v) => (v as { Status?: string } | null)?.Status ?? null,
  hostConfig: (v) => {
    const { RestartPolicy, AutoRemove } = v as { RestartPolicy: unknown; AutoRemove: unknown };
    return { RestartPolicy, AutoRemove };
  },
};

/** State identity for the traversal: the value plus every context field not known to be volatile (or kept). */
export function serialize(snapshot: AnyMachineSnapshot, keep: ReadonlySet<string> = new Set()): string {
  const context = Object.entries(snapshot.context as Record<string, unknown>)
    .filter(([k]) => keep.has(k) || !volatileContext.has(k))
    .map(([k, v]) => [k, projections[k] ? projections[k](v) : v]);
  return JSON.stringify({ value: snapshot.value, context: Object.fromEntries(context) });
}

/**
 * The machine as the graph utilities traverse it, except that each step also records the
 * transitions it took: they are seen through the inspection of our own scope's system (the
 * utilities' scope keeps them to itself), and kept per resulting snapshot.
 */
function recordingLogic(machine: AnyStateMachine, input: unknown) {
  const self = createActor(machine, { input });
  let taken: AnyTransitionDefinition[] = [];
  self.system.inspect((e) => {
    if (e.type === '@xstate.microstep') taken.push(...e._transitions);
  });
  const scope = {
    self, id: '', sessionId: '', system: self.system,
    logger: () => {}, defer: () => {}, stopChild: () => {}, emit: () => {}, actionExecutor: () => {},
  } as unknown as ActorScope<AnyMachineSnapshot, EventObject>;
  // By source snapshot, then event: a step that changes nothing returns its source object.
  const recorded = new WeakMap<object, Map<string, string[]>>();
  const transition = (snapshot: AnyMachineSnapshot, event: EventObject) => {
    taken = [];
    const next = machine.transition(snapshot, event, scope);
    if (!recorded.has(snapshot)) recorded.set(snapshot, new Map());
    recorded.get(snapshot)!.set(JSON.stringify(event), taken.map(keyOf));
    return next;
  };
  const takenBy = (from: AnyMachineSnapshot, event: EventObject) => recorded.get(from)?.get(JSON.stringify(event)) ?? [];
  const logic = new Proxy(machine, { get: (target, prop, receiver) => (prop === 'transition' ? transition : Reflect.get(target, prop, receiver)) });
  return { logic, takenBy };
}

/**
 * `usable` keeps the traversal to the events a system under test can take; paths are picked only
 * for what `known` (transitions another plan already takes) leaves uncovered.
 */
export function planPaths(
  machine: AnyStateMachine,
  input: unknown,
  usable: (s: AnyMachineSnapshot, e: EventObject) => boolean = () => true,
  known: ReadonlySet<string> = new Set(),
  /** Whether the paths must also reach every explored state (else: only take every transition). */
  coverStates = true,
  /** Volatile context the traversal tells states apart by (the retry count, to reach the last try). */
  keep: ReadonlySet<string> = new Set(),
): Plan {
  const { logic, takenBy } = recordingLogic(machine, input);
  const adjacency = getAdjacencyMap(logic, {
    input,
    events: modelEvents(machine),
    filterEvents: usable,
    serializeState: (s: AnyMachineSnapshot) => serialize(s, keep),
    // A final state takes no events.
    stopWhen: (s: AnyMachineSnapshot) => s.status !== 'active',
    limit: 100_000,
  });
  type Edge = { from: AnyMachineSnapshot; event: EventObject; state: AnyMachineSnapshot };
  const nodes = adjacency as unknown as Record<string, { state: AnyMachineSnapshot; transitions: Record<string, Edge> }>;
  const edgesOf = (from: string) => Object.values(nodes[from]!.transitions).map((e) => ({ ...e, from: nodes[from]!.state }));
  const stepOf = (e: Edge): Step => ({ event: e.event, state: e.state, taken: takenBy(e.from, e.event) });

  // Breadth first from the initial state: the shortest way to every explored state.
  const initial = Object.keys(adjacency)[0]!;
  const shortest = new Map<string, Step[]>([[initial, []]]);
  for (const from of shortest.keys()) {
    for (const edge of edgesOf(from)) {
      const to = serialize(edge.state, keep);
      if (!shortest.has(to) && nodes[to]) shortest.set(to, [...shortest.get(from)!, stepOf(edge)]);
    }
  }

  // One candidate per explored edge: the shortest way to its source, then the edge.
  const candidates: { steps: Step[]; covers: Set<string> }[] = [];
  for (const [from, head] of shortest) {
    for (const edge of edgesOf(from)) {
      const steps = [...head, stepOf(edge)];
      candidates.push({ steps, covers: new Set(steps.flatMap((s) => (coverStates ? [...s.taken, `state:${serialize(s.state, keep)}`] : s.taken))) });
    }
  }

  // Greedy cover: the candidate with the most new items, the shorter one on a tie.
  const covered = new Set<string>(known);
  const paths: ModelPath[] = [];
  for (;;) {
    let best: (typeof candidates)[number] | undefined;
    let bestGain = 0;
    for (const c of candidates) {
      let gain = 0;
      for (const item of c.covers) if (!covered.has(item)) gain++;
      if (gain > bestGain || (gain === bestGain && gain > 0 && best && c.steps.length < best.steps.length)) {
        best = c;
        bestGain = gain;
      }
    }
    if (!best) break;
    for (const item of best.covers) covered.add(item);
    paths.push({ steps: best.steps });
  }

  const transitions = definedTransitions(machine);
  return {
    transitions,
    covered: new Set(paths.flatMap((p) => p.steps.flatMap((s) => s.taken))),
    paths,
    states: Object.keys(adjacency).length,
    unreachable: transitions.filter((t) => !covered.has(t.key) && !known.has(t.key)),
  };
}
