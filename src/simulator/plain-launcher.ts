import { LocalProcess } from './local-process';
import type { LogStream } from './log-store';
import { withCleanup } from './replica';
import type { ReplicaLauncher, ReplicaProcess, ReplicaSpec } from './replica';
import type { ReplicaDirs } from './replica-dirs';

/** Replicas as plain host processes, each with a scratch directory as its cwd and HOME. */
export class PlainLauncher implements ReplicaLauncher {
  readonly isolation = 'none' as const;
  readonly description: string;
  #dirs: ReplicaDirs;

  constructor(dirs: ReplicaDirs, description: string) {
    this.#dirs = dirs;
    this.description = description;
  }

  launch(spec: ReplicaSpec, onLine: (stream: LogStream, line: string) => void): ReplicaProcess {
    const dir = this.#dirs.create(spec.replicaName);
    const process = new LocalProcess({ argv: spec.argv, env: spec.env(dir), cwd: dir }, onLine);
    this.#dirs.recordProcess(dir, process.pid);
    return withCleanup(process, () => this.#dirs.remove(dir));
  }
}
