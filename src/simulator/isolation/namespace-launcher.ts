import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { LogStream } from '../log-store';
import { withCleanup } from '../replica';
import type { ReplicaLauncher, ReplicaProcess, ReplicaRoot, ReplicaSpec } from '../replica';
import type { ReplicaDirs } from '../replica-dirs';
import { writeRuntimeEtc } from '../images/runtime-etc';
import { layerDirs, replicaFstab } from './fstab';
import type { VolumeMount } from './fstab';
import { IsolatedProcess } from './isolated-process';
import { launcherArgv } from './launcher-script';
import type { LauncherTools, LayerBacking } from './launcher-script';
import { makeReadyFifo, startReplicaNetwork } from './replica-network';
import type { NetworkTools, ReplicaNetwork } from './replica-network';
import type { ViewMount } from './view';

export interface NamespaceSetup {
  tools: LauncherTools;
  layer: LayerBacking;
  /** Lower layer of replicas without an image root, and the binds it needs (see fallback-root). */
  fallback: { lower: string; mounts: ViewMount[] };
  /** Binds every image root gets as well (the daemon's socket directory, the agent's bundle). */
  imageMounts: ViewMount[];
  /** Host directories bound elsewhere in every image root (read-only), for the local agent's node. */
  imageBinds: VolumeMount[];
  /** A network namespace per replica (slirp4netns), with the host's TCP ports its loopback carries. */
  network?: { tools: NetworkTools; hostPorts: () => number[] };
}

/** A container runtime's HOME for root when the image sets none; /root is private to each replica. */
const REPLICA_HOME = '/root';
/** The kernel's limit on a hostname. */
const HOST_NAME_MAX = 64;
/** ACA's job container has no working directory field: the image's WORKDIR applies, else `/`. */
const REPLICA_WORKDIR = '/';

/** Creates the replica's directory: the overlay's mount point, its layers (on disk) and fstab. */
export function prepareReplicaDir(dir: string, setup: NamespaceSetup, root: ReplicaRoot = {}, hostname = ''): void {
  mkdirSync(join(dir, 'root'));
  if (setup.layer === 'tmpfs') {
    mkdirSync(join(dir, 'layer'));
  } else {
    const { upper, work } = layerDirs(dir, 'disk');
    mkdirSync(upper);
    mkdirSync(work);
    // On the tmpfs layer (mounted by the launcher itself) the image's own files stay.
    if (root.lowerDirs && hostname) writeRuntimeEtc(upper, root.lowerDirs, hostname);
  }
  const fstab = root.lowerDirs
    ? replicaFstab(dir, setup.layer, root.lowerDirs, setup.imageMounts, [...setup.imageBinds, ...(root.volumes ?? [])])
    : replicaFstab(dir, setup.layer, [setup.fallback.lower], setup.fallback.mounts, root.volumes);
  writeFileSync(join(dir, 'fstab'), fstab);
}

/** Replicas in their own mount, PID, UTS (and network, where slirp4netns is) namespaces, over a copy-on-write root: their image's, or the fallback root. */
export class NamespaceLauncher implements ReplicaLauncher {
  readonly isolation = 'namespaces' as const;
  readonly description: string;
  #dirs: ReplicaDirs;
  #setup: NamespaceSetup;

  constructor(dirs: ReplicaDirs, setup: NamespaceSetup, description: string) {
    this.#dirs = dirs;
    this.#setup = setup;
    this.description = description;
  }

  launch(spec: ReplicaSpec, onLine: (stream: LogStream, line: string) => void): ReplicaProcess {
    const dir = this.#dirs.create(spec.replicaName);
    const hostname = spec.replicaName.slice(0, HOST_NAME_MAX);
    prepareReplicaDir(dir, this.#setup, spec.root, hostname);
    const argv = launcherArgv(this.#setup.tools, {
      replicaDir: dir,
      layer: this.#setup.layer,
      hostname,
      workingDir: spec.root?.workingDir || REPLICA_WORKDIR,
      user: spec.root?.user,
      argv: spec.argv,
      network: !!this.#setup.network,
    });
    const network = this.#setup.network;
    let replicaNetwork: ReplicaNetwork | undefined;
    if (network) makeReadyFifo(dir);
    const env = spec.env(REPLICA_HOME);
    // A daemon this simulator does not embed (a standalone simulator) tells its port only in the callback.
    const ports = () => [...network!.hostPorts(), ...loopbackCallbackPort(env.SOCKERLESS_CALLBACK_URL)];
    const onInitPid = network && ((pid: number) => (replicaNetwork = startReplicaNetwork(network.tools, pid, dir, ports())));
    const process = new IsolatedProcess(argv, env, spec.argv[0]!, onLine, onInitPid || undefined);
    this.#dirs.recordProcess(dir, process.pid);
    return withCleanup(process, () => {
      replicaNetwork?.close();
      return this.#dirs.remove(dir);
    });
  }
}

/** The port of a ws:// callback on the host's loopback, which the replica's own loopback must carry. */
function loopbackCallbackPort(url: string | undefined): number[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    const loopback = u.hostname === 'localhost' || u.hostname.startsWith('127.') || u.hostname === '[::1]';
    return (u.protocol === 'ws:' || u.protocol === 'wss:') && loopback && u.port ? [Number(u.port)] : [];
  } catch {
    return [];
  }
}
