import type { RuntimeConfig } from './image-store';

/** containerd's PATH for an image that sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The argv ACA (Kubernetes) runs: `command` replaces the image's ENTRYPOINT (and drops its
 * CMD), `args` replaces CMD; with neither, ENTRYPOINT + CMD.
 */
export function containerArgv(command: string[] | undefined, args: string[] | undefined, config: RuntimeConfig): string[] {
  const entrypoint = command?.length ? command : (config.Entrypoint ?? []);
  const cmd = args?.length ? args : command?.length ? [] : (config.Cmd ?? []);
  return [...entrypoint, ...cmd];
}

/** `NAME=value` entries of an image config as a record (later entries win). */
export function imageEnv(config: RuntimeConfig): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of config.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

export { resolveUser } from '../../agent/user';
export type { ResolvedUser } from '../../agent/user';
