// Graphviz DOT. Compound states are clusters; every state's SVG group gets `id="state:<id>"`
// so a page can highlight the active states. Edges touching a compound state run to an
// invisible anchor inside its cluster.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { children, edges, internalEvents } from './walk';

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
/** The state's description, as its tooltip (the SVG's title) after `sep`. */
const tooltip = (n: AnyStateNode, sep: string) => (n.description ? `${sep}tooltip=${q(n.description)}` : '');
const nodeName = (n: AnyStateNode) => q(n.id);
const anchor = (n: AnyStateNode) => q(`${n.id}#anchor`);
const isCompound = (n: AnyStateNode) => children(n).length > 0;

/** Words joined by ", " in lines of at most `width` characters. */
function wrap(words: string[], width: number): string[] {
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + w.length + 2 <= width) lines[lines.length - 1] = `${last}, ${w}`;
    else lines.push(w);
  }
  return lines;
}

function stateLabel(n: AnyStateNode): string {
  const lines = [n.key];
  if (n.invoke.length) lines.push(`invoke ${n.invoke.map((i) => String(i.src)).join(', ')}`);
  const internal = internalEvents(n);
  if (internal.length) lines.push(...wrap([`also: ${internal[0]}`, ...internal.slice(1)], 34));
  return lines.join('\n');
}

export function toDot(machine: AnyStateMachine): string {
  const out: string[] = [
    `digraph ${q(machine.id)} {`,
    '  compound=true; rankdir=TB; newrank=true; fontname="Helvetica"; fontsize=11;',
    '  node [shape=box, style="rounded,filled", fillcolor="#f7f7f7", color="#555555", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9, color="#666666"];',
  ];
  const rootInternal = internalEvents(machine.root);
  if (rootInternal.length) out.push(`  label=${q(`${machine.id}: in every state unless it says otherwise: ${rootInternal.join(', ')}`)}; labelloc=t;`);
  const draw = (parent: AnyStateNode, pad: string) => {
    const initial = parent.initial?.target?.[0] as AnyStateNode | undefined;
    if (initial) {
      const start = q(`${parent.id}#initial`);
      out.push(`${pad}${start} [shape=point, width=0.12, label=""];`);
      out.push(`${pad}${start} -> ${isCompound(initial) ? anchor(initial) : nodeName(initial)}${isCompound(initial) ? ` [lhead=${q(`cluster_${initial.id}`)}]` : ''};`);
    }
    for (const c of children(parent)) {
      if (isCompound(c)) {
        out.push(`${pad}subgraph ${q(`cluster_${c.id}`)} {`);
        out.push(`${pad}  id=${q(`state:${c.id}`)}; label=${q(stateLabel(c))};${tooltip(c, ' ')}${c.description ? ';' : ''} style="rounded"; color="#555555";`);
        out.push(`${pad}  ${anchor(c)} [shape=point, style=invis, width=0.01, label=""];`);
        draw(c, `${pad}  `);
        out.push(`${pad}}`);
      } else {
        const final = c.type === 'final' ? ', peripheries=2' : '';
        out.push(`${pad}${nodeName(c)} [id=${q(`state:${c.id}`)}, label=${q(stateLabel(c))}${final}${tooltip(c, ', ')}];`);
      }
    }
  };
  draw(machine.root, '  ');
  for (const e of edges(machine)) {
    if (e.from === machine.root) continue; // root transitions are listed in the graph label
    const attrs = [`label=${q(e.label)}`];
    if (isCompound(e.from)) attrs.push(`ltail=${q(`cluster_${e.from.id}`)}`);
    if (isCompound(e.to) && e.to !== e.from) attrs.push(`lhead=${q(`cluster_${e.to.id}`)}`);
    const end = (n: AnyStateNode) => (isCompound(n) ? anchor(n) : nodeName(n));
    out.push(`  ${end(e.from)} -> ${end(e.to)} [${attrs.join(', ')}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
