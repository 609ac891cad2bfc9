import { EventEmitter } from 'node:events';

/** One `/events` message, in Docker's shape. */
export interface DockerEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

/** Every Docker event the daemon announces, kept in a bounded history for `since` queries. */
export class EventBus extends EventEmitter {
  private readonly history: DockerEvent[] = [];

  /** `history`: events kept across a daemon restart, oldest first. */
  constructor(
    private readonly limit = 1000,
    history: readonly DockerEvent[] = [],
  ) {
    super();
    this.setMaxListeners(0);
    this.history.push(...history.slice(-limit));
  }

  publish(type: DockerEvent['Type'], action: string, id: string, attributes: Record<string, string>): DockerEvent {
    const nano = BigInt(Date.now()) * 1_000_000n + process.hrtime.bigint() % 1_000_000n;
    const event: DockerEvent = {
      Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local',
      time: Number(nano / 1_000_000_000n), timeNano: Number(nano),
    };
    this.history.push(event);
    if (this.history.length > this.limit) this.history.shift();
    this.emit('event', event);
    return event;
  }

  past(): readonly DockerEvent[] {
    return this.history;
  }
}
