import { randomBytes } from 'node:crypto';
import { invalidParameter, conflict, notFound } from '../errdefs';
import { ANONYMOUS_LABEL, type VolumeAnnounce, type VolumeRecord, type VolumeSpec, type VolumeUsers } from './types';

export interface VolumeStoreOptions {
  records?: readonly VolumeRecord[];
  onChange?: (records: VolumeRecord[]) => void;
  announce?: VolumeAnnounce;
  /** Which containers mount a volume; a volume with users cannot be removed. */
  usedBy?: VolumeUsers;
  now?: () => Date;
}

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** dockerd's rule for local volume names; a 400 in its words otherwise. */
export function checkVolumeName(name: string): void {
  if (!validName.test(name)) {
    throw invalidParameter(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

export const isAnonymous = (v: VolumeRecord): boolean => Object.hasOwn(v.Labels, ANONYMOUS_LABEL);

/**
 * The daemon's volume records. What holds the data is elsewhere: a named volume's Azure Files
 * share (src/volumes/azure-files.ts), an anonymous volume's EmptyDir in each replica.
 */
export class VolumeStore {
  readonly #records = new Map<string, VolumeRecord>();
  readonly #onChange: ((records: VolumeRecord[]) => void) | undefined;
  readonly #announce: VolumeAnnounce;
  readonly #now: () => Date;
  usedBy: VolumeUsers;

  constructor(options: VolumeStoreOptions = {}) {
    for (const r of options.records ?? []) this.#records.set(r.Name, structuredClone(r));
    this.#onChange = options.onChange;
    this.#announce = options.announce ?? (() => {});
    this.usedBy = options.usedBy ?? (() => []);
    this.#now = options.now ?? (() => new Date());
  }

  /** `POST /volumes/create`: an existing volume of the same name is returned as it is (dockerd does the same). */
  create(spec: VolumeSpec = {}): VolumeRecord {
    const driver = spec.Driver || 'local';
    if (driver !== 'local') {
      throw invalidParameter(`volume driver "${driver}" is not supported: Sockerless ACA has the local driver only (named volumes are Azure Files shares)`);
    }
    const name = spec.Name || randomBytes(32).toString('hex');
    checkVolumeName(name);
    const existing = this.#records.get(name);
    if (existing) return structuredClone(existing);
    const record: VolumeRecord = {
      Name: name,
      Driver: 'local',
      CreatedAt: this.#now().toISOString(),
      Labels: spec.Labels ?? {},
      Options: spec.DriverOpts ?? {},
    };
    this.#records.set(name, record);
    this.#announce('create', record);
    this.#changed();
    return structuredClone(record);
  }

  find(name: string): VolumeRecord | undefined {
    const r = this.#records.get(name);
    return r && structuredClone(r);
  }

  resolve(name: string): VolumeRecord {
    const r = this.#records.get(name);
    if (!r) throw notFound(`get ${name}: no such volume`);
    return structuredClone(r);
  }

  list(): VolumeRecord[] {
    return [...this.#records.values()].map((r) => structuredClone(r));
  }

  /** `DELETE /volumes/{name}`: 409 while a container mounts it, even with force (as dockerd); force only forgives a missing volume. */
  remove(name: string, force = false): void {
    const record = this.#records.get(name);
    if (!record) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.usedBy(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.#records.delete(name);
    this.#announce('destroy', record);
    this.#changed();
  }

  /** Removes the unused volumes `select` picks; returns their names. */
  prune(select: (v: VolumeRecord) => boolean): string[] {
    const gone: string[] = [];
    for (const v of [...this.#records.values()]) {
      if (this.usedBy(v.Name).length || !select(structuredClone(v))) continue;
      this.#records.delete(v.Name);
      this.#announce('destroy', v);
      gone.push(v.Name);
    }
    if (gone.length) this.#changed();
    return gone;
  }

  snapshot(): VolumeRecord[] {
    return this.list();
  }

  #changed(): void {
    this.#onChange?.(this.snapshot());
  }
}
