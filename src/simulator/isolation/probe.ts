import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

import type { SimulatorSettings } from '../options';
import { PlainLauncher } from '../plain-launcher';
import type { ReplicaLauncher } from '../replica';
import type { ReplicaDirs } from '../replica-dirs';
import { OVERLAY_SAFE_PATH } from './fstab';
import type { LauncherTools, LayerBacking } from './launcher-script';
import { fallbackSetup, visibleMounts } from '../images/fallback-root';
import { hostNodeBinds } from '../images/host-node';
import { NamespaceLauncher } from './namespace-launcher';
import type { NamespaceSetup } from './namespace-launcher';
import type { NetworkTools } from './replica-network';
import { agentPaths } from './view';

const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SYSTEM_DIRS].filter((d) => d.startsWith('/'));
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The launcher's binaries, or which are missing. */
export function findTools(): LauncherTools | string {
  const tools = { sh: '/bin/sh', mount: findTool('mount'), mkdir: findTool('mkdir'), unshare: findTool('unshare') };
  const missing = Object.entries(tools).filter(([, path]) => path === undefined).map(([name]) => name);
  return missing.length ? `${missing.join(', ')} not found` : (tools as LauncherTools);
}

/** slirp4netns, nsenter and nft, or which are missing (then replicas share the host's network). */
function findNetworkTools(): NetworkTools | string {
  const tools = { slirp4netns: findTool('slirp4netns'), nsenter: findTool('nsenter'), nft: findTool('nft') };
  const missing = Object.entries(tools).filter(([, path]) => path === undefined).map(([name]) => name);
  return missing.length ? `${missing.join(', ')} not found` : (tools as NetworkTools);
}

/** Why namespaces cannot be tried at all here, if they cannot. */
function precondition(root: string): string | undefined {
  if (process.platform !== 'linux') return `namespaces are Linux-only (platform ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not running as root (mounting an overlay needs it)';
  if (!OVERLAY_SAFE_PATH.test(root)) return `the data dir path ${root} has characters overlay mount options cannot carry`;
  return undefined;
}

/** Runs one trial replica: it must start as PID 1 and exit 0. Returns what went wrong, if anything. */
async function trial(launcher: NamespaceLauncher): Promise<string | undefined> {
  const output: string[] = [];
  const replica = launcher.launch(
    { replicaName: 'isolation-probe', argv: ['/bin/sh', '-c', '[ "$$" = 1 ] || { echo "not PID 1 but $$" >&2; exit 1; }'], env: () => ({ PATH: SYSTEM_DIRS.join(':') }) },
    (_, line) => output.push(line),
  );
  const end = await replica.ended;
  if (end.kind === 'spawnFailed') return end.message;
  if (end.exitCode !== 0) return `trial replica exited ${end.exitCode}${output.length ? `: ${output.join('; ')}` : ''}`;
  return undefined;
}

/**
 * Decides how this simulator runs replicas, once, at start: in namespaces over an overlay whose
 * writable layer is on the data dir's disk, else on a tmpfs (an overlay cannot be the writable
 * layer of another, as in a container whose root is one), else unisolated — said loudly.
 */
export async function chooseLauncher(settings: SimulatorSettings, dirs: ReplicaDirs): Promise<ReplicaLauncher> {
  const unisolated = (reason: string): ReplicaLauncher => new PlainLauncher(dirs, `none (${reason})`);
  if (settings.isolation === 'none') return unisolated('turned off by the isolation option');

  const failures: string[] = [];
  const blocked = precondition(dirs.root);
  const tools = blocked ?? findTools();
  if (typeof tools === 'string') {
    failures.push(tools);
  } else {
    const agent = agentPaths();
    const hidden = [settings.dataDir, ...settings.hiddenPaths];
    const fallback = fallbackSetup(settings.dataDir, [agent.node, agent.bundles, ...settings.visiblePaths], hidden);
    const imageMounts = visibleMounts({ visible: [agent.bundles, ...settings.visiblePaths], hidden });
    const netTools = settings.replicaNetwork === 'host' ? 'turned off by the replicaNetwork option' : findNetworkTools();
    const network = typeof netTools === 'string' ? undefined : { tools: netTools, hostPorts: settings.hostLoopbackPorts };
    for (const layer of ['disk', 'tmpfs'] as const satisfies readonly LayerBacking[]) {
      const base: NamespaceSetup = { tools, layer, fallback, imageMounts, imageBinds: hostNodeBinds() };
      const described = (net: boolean) => `namespaces (mount, PID, UTS${net ? ', network' : ''}; copy-on-write root of the image or of host system directories, writable layer on ${layer})`;
      if (network) {
        const launcher = new NamespaceLauncher(dirs, { ...base, network }, described(true));
        const failure = await trial(launcher);
        if (!failure) return launcher;
        failures.push(`own network, writable layer on ${layer}: ${failure}`);
      }
      const launcher = new NamespaceLauncher(dirs, base, described(false));
      const failure = await trial(launcher);
      if (!failure) {
        const reason = typeof netTools === 'string' ? netTools : failures.join('; ');
        settings.logger.warn({ reason }, 'ACA simulator replicas share the host network: their ports can collide and are reachable from the host');
        return launcher;
      }
      failures.push(`writable layer on ${layer}: ${failure}`);
    }
  }
  const reason = failures.join('; ');
  settings.logger.warn(
    { reason },
    'ACA SIMULATOR EXECUTIONS ARE NOT ISOLATED: they run as plain host processes that share the host filesystem, process table and hostname',
  );
  return unisolated(reason);
}
