// Runs the Debian-packaged clients (docker-compose 1.29, the system python's docker-py) against a test daemon.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export const SYSTEM_PYTHON = '/usr/bin/python3';

export function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: opts.cwd, env: { PATH: process.env.PATH, ...opts.env }, timeout: opts.timeoutMs ?? 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Why a client is missing, or undefined when it is installed (.ci/run installs them with apt). */
export async function missing(what: 'docker-compose' | 'docker-py' | 'docker-registry'): Promise<string | undefined> {
  if (what === 'docker-py') {
    if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is not installed`;
    const r = await run(SYSTEM_PYTHON, ['-c', 'import docker']);
    return r.code === 0 ? undefined : 'python3-docker is not installed (apt-get install python3-docker)';
  }
  const r = await run('sh', ['-c', `command -v ${what}`]);
  return r.code === 0 ? undefined : `${what} is not installed (apt-get install ${what})`;
}
