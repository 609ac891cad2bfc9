import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';


/** One mount a replica gets besides its copy-on-write root, /proc, /dev and /sys. */
export interface ViewMount {
  /** hide: an empty tmpfs over a host path; bind: a host directory bound read-only at the same path. */
  kind: 'hide' | 'bind';
  path: string;
}

/** The directory holding package.json: the agent and tsx run from there. */
export function projectRoot(): string {
  return fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
}

/** The prefix node is installed under (/usr for /usr/bin/node, the version dir for nvm's). */
export function nodePrefix(): string {
  return dirname(dirname(realpathSync(process.execPath)));
}

/**
 * What the daemon's local agent needs in a replica without an image: Node's install prefix and
 * the directory its bundle is written to (node_modules/.cache/sockerless-agent; created here so
 * it can be bound before the first bundle exists). The rest of the checkout stays out of sight.
 */
export function agentPaths(): { node: string; bundles: string } {
  const bundles = join(projectRoot(), 'node_modules', '.cache', 'sockerless-agent');
  mkdirSync(bundles, { recursive: true });
  return { node: nodePrefix(), bundles };
}
