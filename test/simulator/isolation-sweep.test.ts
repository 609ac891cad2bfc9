// A simulator that crashed leaves replicas running and their directories behind; the next one
// on the same data dir sweeps them at start, whatever the isolation.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, expect, it } from 'vitest';

import { startSimulator } from '../../src/simulator';
import { mountTablesMentioning, replicaDirs, replicaProcess } from './isolation-support';

const dataDir = mkdtempSync(join(tmpdir(), 'sockerless-sweep-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** True while the process runs; a zombie (killed, not yet reaped by its new parent) has ended. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function crash(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

/** Starts the fixture and resolves once it says ready: the replica it runs, and a way to crash it. */
function crashingSimulator(): Promise<{ replica: string; crash: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/crashing-simulator.ts'), dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const ready = /ready (\S+)/.exec(out);
      if (ready) resolve({ replica: ready[1]!, crash: () => crash(child) });
    });
    child.once('exit', (code) => reject(new Error(`fixture exited ${code} before it was ready: ${out}`)));
  });
}

it("the next simulator on a crashed one's data dir kills its replicas and removes their directories", async () => {
  const crashed = await crashingSimulator();
  await crashed.crash();
  const leftover = replicaProcess(dataDir, crashed.replica);
  expect(leftover).toBeGreaterThan(0);
  // The replica outlived its simulator: there is something to sweep.
  expect(alive(leftover!)).toBe(true);

  const warnings: string[] = [];
  const sim = await startSimulator({ dataDir, logger: { info() {}, warn: (o, msg) => warnings.push(`${msg} ${JSON.stringify(o)}`) } });
  try {
    expect(replicaDirs(dataDir)).toEqual([]);
    expect(alive(leftover!)).toBe(false);
    expect(mountTablesMentioning(dataDir)).toEqual([]);
    expect(warnings.filter((w) => w.includes('removed replicas'))).toHaveLength(1);
  } finally {
    await sim.close();
  }
}, 60_000);
