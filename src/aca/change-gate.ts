/**
 * Remembers whether a change hint arrived since the last look, and lets a poller sleep until the
 * next hint or the interval, whichever comes first. A hint that lands while a request is in
 * flight is not lost: the next `sleep` returns at once.
 */
export class ChangeGate {
  #pending = false;
  #wake: (() => void) | undefined;

  /** Pass as the change listener. */
  readonly notify = (): void => {
    this.#pending = true;
    this.#wake?.();
  };

  /** Call right before looking, so only hints newer than the look count. */
  reset(): void {
    this.#pending = false;
  }

  /** Resolves after `ms` or at the next hint; rejects with the abort reason. Leaves nothing behind. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.#pending) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#wake = undefined;
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        resolve();
      }, ms);
      this.#wake = () => {
        done();
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
