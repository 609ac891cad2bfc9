import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

import type { RegistryAuth } from '../../images/registry';
import type { ContainerSpec } from '../job-schema';
import type { LogStream } from '../log-store';
import type { ProcessEnd, ReplicaLauncher, ReplicaProcess, ReplicaRoot } from '../replica';
import { DEFAULT_PATH, containerArgv, imageEnv, resolveUser } from './container-plan';
import { hostNodeArgv } from './host-node';
import type { ImageOutcome, ImageStore } from './image-store';

interface VolumeSpec {
  name: string;
  storageType?: string;
  storageName?: string;
  /** Secret volumes: which secrets, at which file names (all of the job's, by name, when absent). */
  secrets?: { secretRef?: string; path?: string }[];
}

interface MountSpec {
  volumeName: string;
  mountPath: string;
  subPath?: string;
}

export interface ReplicaRunInput {
  replicaName: string;
  /** Init containers in order, then the main container. */
  initContainers: ContainerSpec[];
  main: ContainerSpec;
  volumes: VolumeSpec[];
  /** The container's env from the template and ACA, given the HOME its user has. */
  env: (container: ContainerSpec, home: string) => Record<string, string>;
  /** Credentials of the job's `registries` entry for an image's registry. */
  auth: (image: string) => RegistryAuth | undefined;
  /** Where EmptyDir volumes live while the replica runs. */
  volumesDir: string;
  /** The share directory behind an environment storage (AzureFile volumes), or why there is none. */
  storage?: (storageName: string) => { source: string; readOnly: boolean } | { error: string };
  /** The job's secrets, for `Secret` volumes. */
  secrets: { name: string; value?: string }[];
  onLine: (container: string, stream: LogStream, line: string) => void;
}

/**
 * Removes the EmptyDir volumes of replicas that have no directory under `replicasDir` any more
 * (left by a simulator that did not close; the replica dirs' own sweep runs first).
 */
export function sweepVolumes(volumesDir: string, replicasDir: string): void {
  let names: string[];
  try {
    names = readdirSync(volumesDir);
  } catch {
    return;
  }
  const replicas = readdirSync(replicasDir);
  for (const name of names) {
    if (!replicas.some((dir) => dir.startsWith(`${name}-`))) rmSync(join(volumesDir, name), { recursive: true, force: true });
  }
}

/** A `Secret` volume: one file per secret (named by `path`, else by the secret), read-only to the containers. */
function writeSecretFiles(dir: string, volume: VolumeSpec, secrets: { name: string; value?: string }[]): void {
  const wanted = volume.secrets?.length ? volume.secrets : secrets.map((s) => ({ secretRef: s.name, path: s.name }));
  for (const { secretRef, path } of wanted) {
    const secret = secrets.find((s) => s.name === secretRef);
    const name = basename(path || secretRef || '');
    if (!secret || !name || name === '.' || name === '..') continue;
    writeFileSync(join(dir, name), secret.value ?? '', { mode: 0o444 });
  }
}

/** A replica that failed before its main container ran, with ACA's reason. */
export type EarlyEnd = { kind: 'failed'; reason: string; message: string; exitCode?: number };

/**
 * One replica as ACA runs it: every image pulled (or found in the cache), the init containers
 * one after the other, each in its own image's filesystem, then the main container; EmptyDir
 * volumes shared by all of them and removed with the replica. A failing pull or init container
 * fails the replica before the main container starts.
 */
export class ReplicaRun {
  readonly ended: Promise<ProcessEnd | EarlyEnd>;
  readonly started: Promise<void>;
  /** The exit codes of the init containers that have ended, in order (detailedStatus lists them). */
  readonly initExits = new Map<string, number>();
  #markStarted!: () => void;
  #current: ReplicaProcess | undefined;
  #stopped: NodeJS.Signals | undefined;
  #done = false;

  constructor(
    private readonly input: ReplicaRunInput,
    private readonly launcher: ReplicaLauncher,
    private readonly images: ImageStore,
  ) {
    this.started = new Promise((resolve) => (this.#markStarted = resolve));
    // Whatever goes wrong setting the replica up fails it; the execution never waits forever.
    this.ended = this.#run()
      .catch((err: unknown): EarlyEnd => ({ kind: 'failed', reason: 'ContainerCreateFailure', exitCode: 125, message: `replica setup failed: ${(err as Error).message}` }))
      .finally(() => (this.#done = true));
  }

  get running(): boolean {
    return !this.#done;
  }

  signal(signal: NodeJS.Signals): void {
    this.#stopped ??= signal;
    this.#current?.signal(signal);
  }

  async #run(): Promise<ProcessEnd | EarlyEnd> {
    const { input } = this;
    const containers = [...input.initContainers, input.main];
    const outcomes: ImageOutcome[] = [];
    const volumesDir = join(input.volumesDir, input.replicaName);
    try {
      for (const c of containers) {
        const outcome = await this.images.prepare(c.image, input.auth(c.image));
        outcomes.push(outcome);
        if (outcome.kind === 'failed') {
          return { kind: 'failed', reason: 'ImagePullFailure', message: `Container '${c.name}' was terminated with exit code '' and reason 'ImagePullFailure': ${outcome.message}` };
        }
      }
      const volumes = new Map<string, { source: string; readOnly: boolean }>();
      for (const v of input.volumes) {
        if (v.storageType === 'AzureFile') {
          const share = v.storageName && input.storage ? input.storage(v.storageName) : { error: `volume '${v.name}' names no storage` };
          // A share that cannot be mounted keeps the container from starting, as on ACA.
          if ('error' in share) return { kind: 'failed', reason: 'VolumeMountFailure', exitCode: 125, message: `Volume '${v.name}' could not be mounted: ${share.error}` };
          volumes.set(v.name, share);
          continue;
        }
        if (v.storageType !== undefined && v.storageType !== 'EmptyDir' && v.storageType !== 'Secret') {
          return { kind: 'failed', reason: 'VolumeMountFailure', exitCode: 125, message: `Volume '${v.name}': storage type ${v.storageType} is not served by the simulator` };
        }
        const dir = join(volumesDir, v.name);
        mkdirSync(dir, { recursive: true, mode: 0o777 });
        volumes.set(v.name, { source: dir, readOnly: v.storageType === 'Secret' });
        if (v.storageType === 'Secret') writeSecretFiles(dir, v, input.secrets);
      }
      for (const [i, c] of containers.entries()) {
        if (this.#stopped) return { kind: 'exited', exitCode: 143 };
        const isMain = i === containers.length - 1;
        const mounts = ((c as { volumeMounts?: MountSpec[] }).volumeMounts ?? []).flatMap((m) => {
          const volume = volumes.get(m.volumeName);
          return volume ? [{ source: m.subPath ? join(volume.source, m.subPath) : volume.source, target: m.mountPath, readOnly: volume.readOnly }] : [];
        });
        for (const m of mounts) if (!m.readOnly) mkdirSync(m.source, { recursive: true, mode: 0o777 });
        const launched = this.#launch(c, outcomes[i]!, mounts);
        if ('kind' in launched) return launched;
        this.#current = launched;
        if (isMain) launched.started.then(() => this.#markStarted());
        const end = await launched.ended;
        if (isMain) return end;
        this.initExits.set(c.name, end.exitCode);
        if (end.exitCode !== 0) {
          const detail = end.kind === 'spawnFailed' ? end.message : `exit code ${end.exitCode}`;
          return { kind: 'failed', reason: 'InitContainerFailed', exitCode: end.exitCode, message: `Init container '${c.name}' failed (${detail}); the main container did not start` };
        }
      }
      throw new Error('unreachable');
    } finally {
      for (const o of outcomes) if (o.kind === 'image') o.release();
      await rm(volumesDir, { recursive: true, force: true });
    }
  }

  #launch(c: ContainerSpec, outcome: ImageOutcome, volumes: { source: string; target: string; readOnly: boolean }[]): ReplicaProcess | EarlyEnd {
    const onLine = (stream: LogStream, line: string) => this.input.onLine(c.name, stream, line);
    if (outcome.kind !== 'image') {
      const argv = [...(c.command ?? []), ...(c.args ?? [])];
      if (argv.length === 0) {
        return { kind: 'failed', reason: 'ContainerCreateFailure', exitCode: 127, message: `no command specified: image ${c.image} could not be pulled (${outcome.kind === 'fallback' ? outcome.reason : ''}), so there is no entrypoint or cmd to run and the job needs command or args` };
      }
      return this.launcher.launch({ replicaName: this.input.replicaName, argv, env: (home) => this.input.env(c, home), root: { volumes } }, onLine);
    }
    const { config, root } = outcome;
    const user = resolveUser(root, config.User);
    if (typeof user === 'string') return { kind: 'failed', reason: 'ContainerCreateFailure', exitCode: 125, message: user };
    const requested = containerArgv(c.command, c.args, config);
    const argv = hostNodeArgv(requested);
    // The daemon's local agent is the container's init: it runs as root and applies the user itself.
    const agent = argv !== requested;
    if (argv.length === 0) return { kind: 'failed', reason: 'ContainerCreateFailure', exitCode: 127, message: 'no command specified: the image has no ENTRYPOINT or CMD and the job gives no command or args' };
    const env = (home: string) => {
      const merged: Record<string, string> = { PATH: DEFAULT_PATH, ...imageEnv(config), ...this.input.env(c, home) };
      // The host's PATH never stands in for an image's.
      const own = imageEnv(config).PATH;
      if (!(c.env ?? []).some((e) => e.name === 'PATH')) merged.PATH = own ?? DEFAULT_PATH;
      if (agent && config.User && merged.SOCKERLESS_USER === undefined) merged.SOCKERLESS_USER = config.User;
      return merged;
    };
    const replicaRoot: ReplicaRoot = {
      lowerDirs: [root],
      workingDir: config.WorkingDir || '/',
      user: agent || (user.uid === 0 && user.gid === 0) ? undefined : { uid: user.uid, gid: user.gid },
      volumes,
    };
    return this.launcher.launch({ replicaName: this.input.replicaName, argv, env: () => env(user.home), root: replicaRoot }, onLine);
  }
}
