// `docker run -it` and `docker exec -it` on a real pseudo-terminal in the agent (issue 18): the
// docker CLI runs inside tmux, a real terminal, which the test types into, resizes and reads.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { hasTmux, Terminal } from '../helpers/terminal';
import { agentConnected } from './agent-helpers';


let d: TestDaemon;
let dir: string;
beforeAll(async () => {
  if (!hasTmux) return;
  d = await startTestDaemon();
  await d.cli(['pull', 'alpine']);
  dir = mkdtempSync(join(tmpdir(), 'sockerless-tty-'));
});
afterAll(async () => {
  await d?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasTmux)('a real TTY through the agent', () => {
  it('docker run -it: a terminal the shell sees, its size following the client, ^C to the foreground process, exit 7', async () => {
    const t = new Terminal(dir, d.socket, 'run', ['run', '-it', '--rm', 'alpine', 'sh'], { cols: 90, rows: 27 });
    try {
      await t.waitFor(/^[#$] ?$/m);
      t.type('tty -s && echo IS-A-TTY; stty size\n');
      await t.waitFor(/^IS-A-TTY\s*\n27 90\s*$/m);
      t.resize(120, 33);
      // The client sends its new size on SIGWINCH; the next command sees it.
      const until = Date.now() + 15_000;
      for (;;) {
        t.type('stty size\n');
        await new Promise((r) => setTimeout(r, 300));
        if (/^33 120\s*$/m.test(t.screen())) break;
        if (Date.now() > until) throw new Error(`stty size never showed 33 120:\n${t.screen()}`);
      }
      t.type('echo STARTED; sleep 30; echo NOT-INTERRUPTED\n');
      await t.waitFor(/^STARTED\s*$/m);
      await new Promise((r) => setTimeout(r, 300));
      t.key('C-c');
      t.type('echo "status=$?"\n');
      // The shell's new prompt comes first, then the typed-ahead command's output on that line.
      await t.waitFor(/status=130\s*$/m);
      expect(t.screen()).not.toMatch(/^NOT-INTERRUPTED\s*$/m);
      t.type('exit 7\n');
      expect(await t.exitCode()).toBe(7);
    } finally {
      t.close();
    }
  });

  it('docker exec -it: its own terminal with the client\'s size; its exit code', async () => {
    const run = await d.cli(['run', '-d', 'alpine', 'sleep', '60']);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    await agentConnected(d, id);
    const t = new Terminal(dir, d.socket, 'exec', ['exec', '-it', id, 'sh'], { cols: 70, rows: 20 });
    try {
      await t.waitFor(/^[#$] ?$/m);
      t.type('stty size\n');
      await t.waitFor(/^20 70\s*$/m);
      t.type('exit 5\n');
      expect(await t.exitCode()).toBe(5);
    } finally {
      t.close();
      await d.cli(['rm', '-f', id]);
    }
  });
});
