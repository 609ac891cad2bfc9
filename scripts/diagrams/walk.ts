// A machine definition as the diagram emitters see it: states in document order, each with the
// transitions that leave it (eventless ones included) and those that stay (actions only).
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface Edge {
  from: AnyStateNode;
  to: AnyStateNode;
  label: string;
}

export const children = (n: AnyStateNode): AnyStateNode[] => Object.values(n.states as Record<string, AnyStateNode>);

export const allStates = (n: AnyStateNode): AnyStateNode[] => children(n).flatMap((c) => [c, ...allStates(c)]);

/** `done: runJob`, `error: deleteJob`, `after 5000`, `always`, with `[guard]` when guarded. */
export function transitionLabel(node: AnyStateNode, t: AnyTransitionDefinition): string {
  const src = (id: string) => String(node.invoke.find((i) => i.id === id)?.src ?? id);
  const event = t.eventType === ''
    ? 'always'
    : t.eventType
        .replace(/^xstate\.done\.actor\.(.*)$/, (_: string, id: string) => `done: ${src(id)}`)
        .replace(/^xstate\.error\.actor\.(.*)$/, (_: string, id: string) => `error: ${src(id)}`)
        .replace(/^xstate\.after\.([^.]+)\..*$/, 'after $1');
  const g = t.guard as unknown;
  const guard = typeof g === 'string' ? g : typeof g === 'function' ? (g.name && g.name !== 'guard' ? g.name : 'guarded') : (g as { type?: string } | undefined)?.type;
  return guard ? `${event} [${guard}]` : event;
}

function transitions(node: AnyStateNode): AnyTransitionDefinition[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
}

/** Transitions with a target, as edges (one per target). */
export function edges(machine: AnyStateMachine): Edge[] {
  return [machine.root, ...allStates(machine.root)].flatMap((from) =>
    transitions(from).flatMap((t) => (t.target ?? []).map((to: AnyStateNode) => ({ from, to, label: transitionLabel(from, t) }))),
  );
}

/** Events a state handles without leaving it (answers, bookkeeping), deduplicated. */
export function internalEvents(node: AnyStateNode): string[] {
  const labels = transitions(node).filter((t) => !t.target?.length && (t.actions.length || t.reenter)).map((t) => transitionLabel(node, t));
  return [...new Set(labels)];
}
