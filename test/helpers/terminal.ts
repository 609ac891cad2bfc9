// A real terminal for the docker CLI in tests: tmux on a private server, typed into, resized, read.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A terminal (tmux on its own server) running one docker command; its exit code lands in a file. */
export class Terminal {
  readonly #socket: string;
  readonly #exitFile: string;
  /** `dir`: where its files go; `socket`: the daemon's. */
  constructor(dir: string, socket: string, name: string, dockerArgs: string[], size: { cols: number; rows: number }) {
    this.#socket = join(dir, `${name}.tmux`);
    this.#exitFile = join(dir, `${name}.exit`);
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = `DOCKER_HOST=unix://${socket} DOCKER_CONFIG=${dir}/docker-config docker ${dockerArgs.map(quote).join(' ')}; echo $? > ${this.#exitFile}; sleep 60`;
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

