// The committed diagrams are what the machines generate (`npm run diagrams` refreshes them).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { diagramsDir, generateDiagrams } from '../../scripts/diagrams/generate';

describe('diagrams/', () => {
  it('holds, for every machine, the Mermaid source and SVG its definition generates', async () => {
    const diagrams = await generateDiagrams();
    expect(diagrams.map((d) => d.name)).toContain('container');
    for (const d of diagrams) {
      const committed = (ext: string) => readFile(new URL(`${d.name}.${ext}`, diagramsDir), 'utf8').catch(() => '(missing)');
      expect(await committed('mmd'), `diagrams/${d.name}.mmd is stale: run npm run diagrams`).toBe(d.mermaid);
      expect(await committed('svg'), `diagrams/${d.name}.svg is stale: run npm run diagrams`).toBe(d.svg);
    }
  });
});
