// Mermaid stateDiagram-v2 source. Every state is declared before any edge: Mermaid places a
// state inside whichever composite first mentions it.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { children, edges, internalEvents } from './walk';

const sid = (n: AnyStateNode) => n.id.replace(/[^A-Za-z0-9_]/g, '_');

export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const declare = (node: AnyStateNode, pad: string) => {
    if (node.initial?.target?.[0]) lines.push(`${pad}[*] --> ${sid(node.initial.target[0])}`);
    for (const c of children(node)) {
      lines.push(`${pad}state "${c.key}" as ${sid(c)}`);
      if (c.description) lines.push(`${pad}${sid(c)} : ${c.description.replace(/[:;#]/g, ',')}`);
      if (c.invoke.length) lines.push(`${pad}${sid(c)} : invoke ${c.invoke.map((i) => String(i.src)).join(', ')}`);
      const internal = internalEvents(c);
      if (internal.length) lines.push(`${pad}${sid(c)} : also ${internal.join(', ')}`);
      if (children(c).length) {
        lines.push(`${pad}state ${sid(c)} {`);
        declare(c, `${pad}  `);
        lines.push(`${pad}}`);
      }
      if (c.type === 'final') lines.push(`${pad}${sid(c)} --> [*]`);
    }
  };
  declare(machine.root, '  ');
  const rootInternal = internalEvents(machine.root);
  if (rootInternal.length) lines.push(`  note "in every state unless it says otherwise: ${rootInternal.join(', ')}" as N_root`);
  for (const e of edges(machine)) lines.push(`  ${sid(e.from)} --> ${sid(e.to)} : ${e.label}`);
  return `${lines.join('\n')}\n`;
}
