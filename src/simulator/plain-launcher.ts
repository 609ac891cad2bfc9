import { LocalProcess } from './local-process';
import type { LogStream } from './log-store';
import { withCleanup } from './replica';
import type { ReplicaLauncher, ReplicaProcess, ReplicaSpec } from './replica';
import { createReplicaDir, recordReplicaProcess, removeReplicaDir } from './replica-dirs';

/** Replicas as plain host processes, each with a scratch directory as its cwd and HOME. */
export class PlainLauncher implements ReplicaLauncher {
  readonly isolation = 'none' as const;
  readonly description: string;
  #root: string;

  constructor(root: string, description: string) {
    this.#root = root;
    this.description = description;
  }

  launch(spec: ReplicaSpec, onLine: (stream: LogStream, line: string) => void): ReplicaProcess {
    const dir = createReplicaDir(this.#root, spec.replicaName);
    const process = new LocalProcess({ argv: spec.argv, env: spec.env(dir), cwd: dir }, onLine);
    recordReplicaProcess(dir, process.pid);
    return withCleanup(process, () => removeReplicaDir(dir));
  }
}
