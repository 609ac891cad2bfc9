import type { ImageCacheStats } from './images/image-store';

export interface SimulatorStats {
  /** The image cache's counters, in `/_simulator/stats` only (where replicas run isolated, in their images). */
  images?: ImageCacheStats;
  /** Requests per operation name (e.g. `Jobs_CreateOrUpdate`, `OperationStatus`, `token`). */
  byOperation: Record<string, number>;
  /** ARM and Log Analytics reads: GETs (LRO polls included) and log queries. */
  reads: number;
  /** ARM writes: PUT, POST, DELETE. */
  writes: number;
}

/** `identity` requests are counted per operation but are neither reads nor writes. */
export type RequestKind = 'read' | 'write' | 'identity';

export class StatsCounter {
  #byOperation = new Map<string, number>();
  #reads = 0;
  #writes = 0;

  count(operation: string, kind: RequestKind): void {
    this.#byOperation.set(operation, (this.#byOperation.get(operation) ?? 0) + 1);
    if (kind === 'read') this.#reads++;
    else if (kind === 'write') this.#writes++;
  }

  snapshot(): SimulatorStats {
    return { byOperation: Object.fromEntries(this.#byOperation), reads: this.#reads, writes: this.#writes };
  }

  reset(): void {
    this.#byOperation.clear();
    this.#reads = 0;
    this.#writes = 0;
  }
}
