import type { DataFrame } from './protocol';
import type { SocketPump } from './socket-pump';

/** An agent's port streams by session number: the daemon's frames for a stream go to its pump. */
export class PumpTable {
  protected readonly pumps = new Map<number, SocketPump>();

  data(frame: DataFrame): void {
    this.pumps.get(frame.session)?.data(frame);
  }

  ack(s: number, seq: number): void {
    this.pumps.get(s)?.ack(seq);
  }

  end(s: number): void {
    this.pumps.get(s)?.end();
  }

  /** The daemon closed the stream (its other end failed or broke): the socket closes. */
  close(s: number): void {
    this.pumps.get(s)?.abort();
  }
}
