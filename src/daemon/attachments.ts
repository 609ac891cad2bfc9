/**
 * Attach streams still delivering an execution's output. Docker delivers a container's output
 * before `wait` reports its exit (clients such as dockerode's `run` read the result and stop
 * listening), so a `wait` answer holds until the streams of the execution it reports on drain.
 */
export class Attachments {
  private readonly draining = new Map<string, Set<Promise<void>>>();

  /** Registers an attach stream following `executionName`; `done` settles when it has ended. */
  track(executionName: string, done: Promise<void>): void {
    let set = this.draining.get(executionName);
    if (!set) this.draining.set(executionName, (set = new Set()));
    set.add(done);
    void done.finally(() => {
      set.delete(done);
      if (set.size === 0) this.draining.delete(executionName);
    });
  }

  /** Resolves when every stream of that execution has ended, or after `timeoutMs`. */
  async drained(executionName: string | undefined, timeoutMs: number): Promise<void> {
    const set = executionName ? this.draining.get(executionName) : undefined;
    if (!set) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...set]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}
