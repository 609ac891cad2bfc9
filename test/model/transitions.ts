// The transitions of a machine, counted from its definition: every `on` entry (each guarded
// alternative apart), invoke onDone/onError, `after`, and eventless `always` transitions.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface DefinedTransition {
  /** Stable across `.provide()` copies: source state id, event, position. */
  key: string;
  source: string;
  event: string;
  targets: string[];
  guard?: string;
}

const stateNodes = (node: AnyStateNode): AnyStateNode[] => [
  node,
  ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(stateNodes),
];

const guardName = (t: AnyTransitionDefinition): string | undefined => {
  const g = t.guard as unknown;
  if (typeof g === 'string') return g;
  if (typeof g === 'function') return g.name || 'inline';
  return (g as { type?: string } | undefined)?.type;
};

/** Every transition the machine defines, in document order. */
export function definedTransitions(machine: AnyStateMachine): DefinedTransition[] {
  return stateNodes(machine.root).flatMap((node) => {
    const own = [...node.transitions.entries()].flatMap(([event, list]) => list.map((t, i) => [event, i, t] as const));
    const always = (node.always ?? []).map((t, i) => ['always', i, t] as const);
    return [...own, ...always].map(([event, i, t]) => ({
      key: `${node.id}|${event}|${i}`,
      source: node.id,
      event,
      targets: (t.target ?? []).map((s: AnyStateNode) => s.id),
      guard: guardName(t),
    }));
  });
}

/** The key of a transition an actor took (from an `@xstate.microstep` inspection event). */
export function keyOf(t: AnyTransitionDefinition): string {
  const source = t.source as AnyStateNode;
  if (t.eventType === '') return `${source.id}|always|${(source.always ?? []).indexOf(t)}`;
  return `${source.id}|${t.eventType}|${source.transitions.get(t.eventType)?.indexOf(t) ?? -1}`;
}

/** A short human label: `running.up --STOP--> running.stopping`. */
export function label(t: DefinedTransition): string {
  const short = (id: string) => id.split('.').slice(1).join('.') || id;
  const event = t.event.replace(/^xstate\.(done|error)\.actor\..*$/, (_, kind: string) => `${kind}(invoke)`);
  const target = t.targets.length ? t.targets.map(short).join(',') : '(self)';
  return `${short(t.source)} --${event}${t.guard ? ` [${t.guard}]` : ''}--> ${target}`;
}
