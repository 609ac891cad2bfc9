// npm run diagrams: regenerates diagrams/<machine>.mmd and .svg from the machine definitions.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { diagramsDir, generateDiagrams } from './diagrams/generate';

const diagrams = await generateDiagrams();
await mkdir(diagramsDir, { recursive: true });
const keep = new Set(diagrams.flatMap((d) => [`${d.name}.mmd`, `${d.name}.svg`]));
for (const file of await readdir(diagramsDir)) if (/\.(mmd|svg)$/.test(file) && !keep.has(file)) await rm(new URL(file, diagramsDir));
for (const d of diagrams) {
  await writeFile(new URL(`${d.name}.mmd`, diagramsDir), d.mermaid);
  await writeFile(new URL(`${d.name}.svg`, diagramsDir), d.svg);
  console.log(`diagrams/${d.name}.mmd, diagrams/${d.name}.svg`);
}
