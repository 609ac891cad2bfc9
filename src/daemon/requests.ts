import type { Reply } from '../../machines/container';

/** Requests in flight to actors, answered by the charts' `reply` action. */
export class Requests {
  private next = 0;
  private readonly pending = new Map<string, (reply: Reply) => void>();

  open(): { rid: string; answer: Promise<Reply> } {
    const rid = `r${++this.next}`;
    const answer = new Promise<Reply>((resolve) => this.pending.set(rid, resolve));
    return { rid, answer };
  }

  settle = (reply: Reply): void => {
    const resolve = this.pending.get(reply.rid);
    if (!resolve) return;
    this.pending.delete(reply.rid);
    resolve(reply);
  };

  /** Forget a request whose client went away. */
  drop(rid: string): void {
    this.pending.delete(rid);
  }
}
