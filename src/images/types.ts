/** The runtime defaults an image gives its containers (the `config` of an OCI image config). */
export interface ImageConfig {
  User: string;
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  WorkingDir: string;
  Labels: Record<string, string> | null;
  ExposedPorts: Record<string, Record<string, never>> | null;
  Volumes: Record<string, Record<string, never>> | null;
  StopSignal?: string;
  /** Set by a build's SHELL. */
  Shell?: string[];
  /** Set by a build's HEALTHCHECK (durations in nanoseconds, as Docker stores them). */
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  /** ONBUILD triggers, recorded (never run here). */
  OnBuild?: string[];
}

/** Where a record's config came from: built in here, read from the registry, or made by `docker build`. */
export type ImageOrigin = 'synthetic' | 'fetched' | 'built';

/**
 * What ACA runs for a built image. Build steps are not executed here, so a built image is its
 * FROM image (from a registry) with a new config; the job pulls that image and gets the config
 * through the container's command and environment.
 */
export interface RunImage {
  /** Fully qualified reference of the registry image at the root of the FROM chain. */
  Reference: string;
  /** The environment that image already carries. */
  Env: string[];
}

/** One step of the image's build history, as the config records it. */
export interface ImageHistoryRecord {
  /** ISO time, when known. */
  Created?: string;
  CreatedBy: string;
  Comment: string;
  EmptyLayer: boolean;
}

/**
 * What the store keeps per image: plain JSON, so it can be persisted and restored as is.
 * References (RepoTags, RepoDigests) are stored fully qualified (`docker.io/library/alpine:latest`).
 */
export interface ImageRecord {
  /** `sha256:` + hex of the canonical config JSON (synthetic) or the config blob digest (fetched). */
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** ISO time. */
  Created: string;
  Size: number;
  Author: string;
  Comment: string;
  Config: ImageConfig;
  Architecture: 'amd64';
  Os: 'linux';
  /** Uncompressed layer digests (`rootfs.diff_ids`); empty for a synthetic image. */
  Layers: string[];
  History: ImageHistoryRecord[];
  /** ISO time of the last tag or pull that tagged it. */
  LastTagTime: string;
  Origin: ImageOrigin;
  /** Built images only; absent for `FROM scratch`, which has nothing ACA could pull. */
  RunImage?: RunImage;
}

/** One line of the pull progress stream, in dockerd's JSON-message shape. */
export interface PullMessage {
  status: string;
  id?: string;
  progressDetail?: Record<string, never>;
}

/** An item of Docker's `DELETE /images/{name}` answer. */
export type DeleteItem = { Untagged: string } | { Deleted: string };

/** Returns the id of a container that uses the image, if any. */
export type InUseBy = (imageId: string) => string | undefined;
