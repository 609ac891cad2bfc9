// Every machine under machines/, drawn: Mermaid source and an SVG rendered offline from DOT by
// Graphviz compiled to WebAssembly (@viz-js/viz). The same input always gives the same bytes.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { instance } from '@viz-js/viz';
import { StateMachine, type AnyStateMachine } from 'xstate';
import { toDot } from './dot';
import { toMermaid } from './mermaid';

export interface Diagram {
  /** File name without extension: the machine's id. */
  name: string;
  mermaid: string;
  svg: string;
}

export const machinesDir = new URL('../../machines/', import.meta.url);
export const diagramsDir = new URL('../../diagrams/', import.meta.url);

/** The machines each `machines/<name>/machine.ts` exports, by id. */
export async function findMachines(): Promise<AnyStateMachine[]> {
  const found = new Map<string, AnyStateMachine>();
  const dirs = (await readdir(machinesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const dir of dirs) {
    const module = (await import(pathToFileURL(join(machinesDir.pathname, dir, 'machine.ts')).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) if (value instanceof StateMachine) found.set(value.id, value as AnyStateMachine);
  }
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export async function generateDiagrams(): Promise<Diagram[]> {
  const viz = await instance();
  return (await findMachines()).map((machine) => ({
    name: machine.id,
    mermaid: toMermaid(machine),
    svg: viz.renderString(toDot(machine), { format: 'svg', engine: 'dot' }),
  }));
}
