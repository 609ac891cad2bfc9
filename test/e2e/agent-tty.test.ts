// `docker run -it` and `docker exec -it` on a real pseudo-terminal in the agent (issue 18): the
// docker CLI runs inside tmux, a real terminal, which the test types into, resizes and reads.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon';
import { agentConnected } from './agent-helpers';

const hasTmux = (() => { try { execFileSync('tmux', ['-V'], { stdio: 'ignore' }); return true; } catch { return false; } })();

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

/** A terminal (tmux on its own server) running one docker command; its exit code lands in a file. */
class Terminal {
  readonly #socket: string;
  readonly #exitFile: string;
  constructor(name: string, dockerArgs: string[], size: { cols: number; rows: number }) {
    this.#socket = join(dir, `${name}.tmux`);
    this.#exitFile = join(dir, `${name}.exit`);
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = `DOCKER_HOST=unix://${d.socket} DOCKER_CONFIG=${dir}/docker-config docker ${dockerArgs.map(quote).join(' ')}; echo $? > ${this.#exitFile}; sleep 60`;
    this.#tmux('new-session', '-d', '-x', String(size.cols), '-y', String(size.rows), command);
  }

  #tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.#socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  screen(): string {
    return this.#tmux('capture-pane', '-p', '-S', '-200');
  }

  type(text: string): void {
    this.#tmux('send-keys', '-l', text);
  }

  key(name: string): void {
    this.#tmux('send-keys', name);
  }

  resize(cols: number, rows: number): void {
    this.#tmux('resize-window', '-x', String(cols), '-y', String(rows));
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > until) throw new Error(`timed out waiting for ${pattern} on the terminal:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async exitCode(timeoutMs = 20_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    while (!existsSync(this.#exitFile) || readFileSync(this.#exitFile, 'utf8').trim() === '') {
      if (Date.now() > until) throw new Error(`the docker client did not end:\n${this.screen()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return Number(readFileSync(this.#exitFile, 'utf8').trim());
  }

  close(): void {
    try {
      this.#tmux('kill-server');
    } catch {
      // already gone
    }
  }
}

describe.skipIf(!hasTmux)('a real TTY through the agent', () => {
  it('docker run -it: a terminal the shell sees, its size following the client, ^C to the foreground process, exit 7', async () => {
    const t = new Terminal('run', ['run', '-it', '--rm', 'alpine', 'sh'], { cols: 90, rows: 27 });
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
      t.type('sleep 30; echo NOT-INTERRUPTED\n');
      await new Promise((r) => setTimeout(r, 500));
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
    const t = new Terminal('exec', ['exec', '-it', id, 'sh'], { cols: 70, rows: 20 });
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
