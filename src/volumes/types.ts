// Volumes as plain JSON records, so the store can be persisted and restored as is.

/** dockerd marks the volumes it makes for `-v /path` and image VOLUMEs with this label. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  /** ISO time. */
  CreatedAt: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
}

export interface VolumeSpec {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** A container's mount, as container inspect shows it. */
export interface MountRecord {
  Type: 'volume' | 'bind' | 'tmpfs';
  /** The volume's name (volumes only). */
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** Publishes a Docker event for a volume (`create`, `destroy`). */
export type VolumeAnnounce = (action: string, volume: VolumeRecord) => void;

/** The ids of the containers that mount the named volume. */
export type VolumeUsers = (name: string) => string[];
