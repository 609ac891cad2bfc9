import type { SimulatorSettings } from '../options';
import type { FigureName } from './figures';
import { draw, seededRandom } from './random';

/** The long-running operations whose length the profile decides. */
export type OperationKind = 'jobPut' | 'jobDelete' | 'jobStart' | 'stopExecution';

const OPERATION_FIGURE: Record<OperationKind, FigureName> = {
  jobPut: 'jobPutMs',
  jobDelete: 'jobDeleteMs',
  jobStart: 'jobStartMs',
  stopExecution: 'stopExecutionMs',
};

type TimingSettings = Pick<SimulatorSettings, 'profile' | 'figures' | 'seed' | 'latency' | 'lroDelayMs' | 'executionHistory'>;

/**
 * How long things take. The instant profile keeps the simulator's old figures (nothing, or
 * lroDelayMs in realistic latency); the azure profile draws each delay from its figure's
 * spread with a PRNG seeded by `seed`, so a run can be replayed.
 */
export class Timing {
  readonly azure: boolean;
  #settings: TimingSettings;
  #random: () => number;
  /** Images some replica of the environment has pulled: later pulls are cached. */
  #pulled = new Set<string>();

  constructor(settings: TimingSettings) {
    this.#settings = settings;
    this.azure = settings.profile === 'azure';
    this.#random = seededRandom(settings.seed);
  }

  /** One draw of a figure (its scaled spread). */
  draw(name: FigureName): number {
    return Math.round(draw(this.#settings.figures[name], this.#random));
  }

  /** A count or fixed figure as configured (limits, history length). */
  value(name: FigureName): number {
    return this.#settings.figures[name].median;
  }

  #legacyLroMs(): number {
    return this.#settings.latency === 'realistic' ? this.#settings.lroDelayMs : 0;
  }

  /** How long a write's operation stays InProgress. */
  operationMs(kind: OperationKind): number {
    return this.azure ? this.draw(OPERATION_FIGURE[kind]) : this.#legacyLroMs();
  }

  /**
   * How long a new execution stays Processing before its main container runs: a replica is
   * scheduled, then each image is pulled, cold the first time the environment pulls it.
   */
  processingMs(images: readonly string[]): number {
    if (!this.azure) return this.#legacyLroMs();
    let ms = this.draw('scheduleMs');
    for (const image of images) {
      const cached = this.#pulled.has(image);
      this.#pulled.add(image);
      ms += this.draw(cached ? 'imagePullCachedMs' : 'imagePullColdMs');
    }
    return ms;
  }

  /** How long an execution whose container exited still shows Running. */
  terminalLagMs(): number {
    return this.azure ? this.draw('exitToTerminalMs') : 0;
  }

  /** Executions kept per job: the simulator's option when set, else the profile's (unbounded in the instant profile). */
  executionHistory(): number {
    return this.#settings.executionHistory ?? (this.azure ? this.value('executionHistory') : Infinity);
  }
}
