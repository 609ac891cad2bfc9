import type { InspectionEvent } from 'xstate';

export type InspectionListener = (event: InspectionEvent) => void;

/**
 * The actor system's one inspection observer, fanned out to whoever listens: the /ui page's
 * timeline, the Stately inspector stream when it is switched on, and tests. With no listener a
 * call is one empty loop.
 */
export class InspectionHub {
  readonly #listeners = new Set<InspectionListener>();

  /** Pass as the root actor's `inspect` option. */
  readonly observe = (event: InspectionEvent): void => {
    for (const listener of this.#listeners) listener(event);
  };

  /** Returns the unsubscribe function. */
  subscribe(listener: InspectionListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
}
