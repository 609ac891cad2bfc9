import { readdirSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layers' rules, read from the sources: the statechart (machines/) is pure, and the HTTP
 * front end (src/api) is the top of the daemon, so its imports point down and nothing below it
 * imports it back.
 */
const ROOT = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|js|mts)$/.test(f))
    .map((f) => join(dir, f));
}

interface Import {
  specifier: string;
  typeOnly: boolean;
}

/** Every static import, re-export and dynamic `import('…')` of a file. */
function importsOf(text: string): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    found.push({ specifier: m[3]!, typeOnly: !!m[2] });
  }
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[1]!, typeOnly: false });
  return found;
}

/** Where a relative import lands, from the repository root (`src/api/errors`); a package name as is. */
const target = (file: string, specifier: string) => (specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)) : specifier);

/** Type-only imports a machine may make: the error kinds it refuses with. */
const MACHINE_TYPES = ['src/errdefs'];

/** The entry points that compose the server (the daemon, its HTTP app, the listener) sit above src/api. */
const COMPOSITION_ROOT = ['src/start.ts', 'src/listen.ts', 'src/main.ts'];
/** The /ui/ page is mounted on the same app and shares its request environment (a type). */
const API_TYPE_USERS = ['src/ui/router.ts'];

/** An HTTP status as a number literal (200–599; 1xx left out, they collide with delays like 100 ms). */
const HTTP_STATUSES = Object.keys(STATUS_CODES).filter((s) => Number(s) >= 200);
const statusLiteral = new RegExp(`(?<![\\w.])(${HTTP_STATUSES.join('|')})(?![\\w.])`);

describe('architecture', () => {
  const machineFiles = sources('machines');
  const srcFiles = sources('src');

  it('reads the sources it checks (the rules below are not vacuous)', () => {
    expect(machineFiles.length).toBeGreaterThan(5);
    expect(srcFiles.length).toBeGreaterThan(100);
    expect(importsOf("import type { A } from './a';\nexport { b } from \"../b\";\nconst c = await import('node:fs');")).toEqual([
      { specifier: './a', typeOnly: true },
      { specifier: '../b', typeOnly: false },
      { specifier: 'node:fs', typeOnly: false },
    ]);
  });

  it('machines/ imports nothing with I/O: xstate, its own files, and only types from src/errdefs', () => {
    const bad: string[] = [];
    for (const file of machineFiles) {
      for (const { specifier, typeOnly } of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const to = target(file, specifier);
        const ok = to === 'xstate' || to.startsWith('machines/') || (typeOnly && MACHINE_TYPES.some((t) => to === t || to.startsWith(`${t}/`)));
        if (!ok) bad.push(`${file} imports ${specifier}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no file outside src/api imports from src/api (the composition root apart)', () => {
    const bad: string[] = [];
    for (const file of srcFiles) {
      if (file.startsWith('src/api/') || COMPOSITION_ROOT.includes(file)) continue;
      for (const { specifier, typeOnly } of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const to = target(file, specifier);
        if (to !== 'src/api' && !to.startsWith('src/api/')) continue;
        if (typeOnly && API_TYPE_USERS.includes(file)) continue;
        bad.push(`${file} imports ${specifier}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('src/errdefs and src/filters are leaves: they import no other part of the daemon', () => {
    const bad: string[] = [];
    for (const file of srcFiles.filter((f) => f.startsWith('src/errdefs/') || f === 'src/filters.ts')) {
      for (const { specifier } of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const to = target(file, specifier);
        if (to.startsWith('src/') && !to.startsWith('src/errdefs')) bad.push(`${file} imports ${specifier}`);
        if (to.startsWith('node:')) bad.push(`${file} imports ${specifier}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('machines/ holds no HTTP status literal: the chart refuses with error kinds, src/api picks the status', () => {
    const bad: string[] = [];
    for (const file of machineFiles) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (statusLiteral.test(line)) bad.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(bad).toEqual([]);
  });
});
