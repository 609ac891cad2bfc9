// Paths through the real container machine: the graph utilities explore it (pure, no actor
// runs), then a greedy cover picks few paths that together take every reachable transition
// and reach every explored state.
import { createActor, type ActorScope, type AnyMachineSnapshot, type AnyStateMachine, type AnyTransitionDefinition, type EventObject } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
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
  paths: ModelPath[];
  /** Explored states (serialized). */
  states: number;
  /** Defined transitions no explored edge takes. */
  unreachable: DefinedTransition[];
}

// Context that says nothing about which transitions are enabled: names, times, the request
// queues (their ids are all the same in the traversal), and values the assertions track.
const volatileContext = new Set([
  'id', 'name', 'created', 'imageId', 'config', 'hostConfig', 'jobName', 'execution',
  'startedAt', 'finishedAt', 'exitCode', 'error', 'replies', 'waits',
]);

/** State identity for the traversal: the value plus every context field not known to be volatile. */
export function serialize(snapshot: AnyMachineSnapshot): string {
  const context = Object.entries(snapshot.context as Record<string, unknown>).filter(([k]) => !volatileContext.has(k));
  return JSON.stringify({ value: snapshot.value, context: Object.fromEntries(context) });
}

/**
 * Runs one macrostep purely and reports the transitions it took, seen through the inspection
 * of a scope's system (the graph utilities' own scope keeps them to itself).
 */
function transitionProbe(machine: AnyStateMachine, input: unknown) {
  const self = createActor(machine, { input });
  let taken: AnyTransitionDefinition[] = [];
  self.system.inspect((e) => {
    if (e.type === '@xstate.microstep') taken.push(...e._transitions);
  });
  const scope = {
    self, id: '', sessionId: '', system: self.system,
    logger: () => {}, defer: () => {}, stopChild: () => {}, emit: () => {}, actionExecutor: () => {},
  } as unknown as ActorScope<AnyMachineSnapshot, EventObject>;
  const cache = new Map<string, string[]>();
  return (snapshot: AnyMachineSnapshot, event: EventObject): string[] => {
    const key = `${serialize(snapshot)} ${JSON.stringify(event)}`;
    let keys = cache.get(key);
    if (!keys) {
      taken = [];
      machine.transition(snapshot, event, scope);
      keys = taken.map(keyOf);
      cache.set(key, keys);
    }
    return keys;
  };
}

export function planPaths(machine: AnyStateMachine, input: unknown): Plan {
  const options = {
    input,
    events: modelEvents(machine),
    serializeState: (s: AnyMachineSnapshot) => serialize(s),
    // A final state takes no events.
    stopWhen: (s: AnyMachineSnapshot) => s.status !== 'active',
    limit: 100_000,
  };
  const adjacency = getAdjacencyMap(machine, options);
  const transitionsTaken = transitionProbe(machine, input);
  const shortest = new Map<string, Step[]>();
  for (const path of getShortestPaths(machine, options)) {
    const steps = path.steps.slice(1).map((s) => ({ event: s.event, state: s.state as AnyMachineSnapshot, taken: [] as string[] }));
    let prev = path.steps[0]!.state as AnyMachineSnapshot;
    for (const step of steps) {
      step.taken = transitionsTaken(prev, step.event);
      prev = step.state;
    }
    shortest.set(serialize(path.state as AnyMachineSnapshot), steps);
  }

  // One candidate per explored edge: the shortest way to its source, then the edge.
  const candidates: { steps: Step[]; covers: Set<string> }[] = [];
  for (const [from, { state, transitions }] of Object.entries(adjacency)) {
    const head = shortest.get(from);
    if (!head) continue;
    for (const { event, state: next } of Object.values(transitions) as { event: EventObject; state: unknown }[]) {
      const last: Step = { event, state: next as AnyMachineSnapshot, taken: transitionsTaken(state as AnyMachineSnapshot, event) };
      const steps = [...head, last];
      const covers = new Set(steps.flatMap((s) => [...s.taken, `state:${serialize(s.state)}`]));
      candidates.push({ steps, covers });
    }
  }

  // Greedy cover: the candidate with the most new items, the shorter one on a tie.
  const covered = new Set<string>();
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
    paths,
    states: Object.keys(adjacency).length,
    unreachable: transitions.filter((t) => !covered.has(t.key)),
  };
}
