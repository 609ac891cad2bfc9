// One open /ui page: the world once, then only changes (batched per tick), the history of the
// container it selected, and the daemon-wide figures when they change.
//
// Server → page: hello { containers, overview } · changes { updates, gone } ·
//                detail { id, container | null } · overview { overview }
// Page → server: select { id | null }
import type { WebSocket } from 'ws';
import type { Overview } from './overview';
import { summaryOf, type ContainerSummary, type ContainerTimeline, type TimelineChange } from './timeline';

export class PageSession {
  readonly #ws: WebSocket;
  readonly #timeline: ContainerTimeline;
  readonly #unsubscribe: () => void;
  /** Changes since the last flush, by id; null: gone. */
  #pending = new Map<string, ContainerSummary | null>();
  #flushing = false;
  #selected: string | null = null;
  #lastOverview = '';

  constructor(ws: WebSocket, timeline: ContainerTimeline, overview: Overview | null) {
    this.#ws = ws;
    this.#timeline = timeline;
    this.#lastOverview = JSON.stringify(overview);
    this.#send({ type: 'hello', containers: timeline.containers().map(summaryOf), overview });
    this.#unsubscribe = timeline.subscribe((change) => this.#changed(change));
    ws.on('message', (data, isBinary) => this.#received(isBinary ? '' : data.toString()));
  }

  overview(overview: Overview | null): void {
    const text = JSON.stringify(overview);
    if (text === this.#lastOverview) return;
    this.#lastOverview = text;
    this.#send({ type: 'overview', overview });
  }

  close(): void {
    this.#unsubscribe();
  }

  #received(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.#ws.close(1003, 'expected JSON');
    }
    const { type, id } = (message ?? {}) as { type?: unknown; id?: unknown };
    if (type !== 'select' || (id !== null && typeof id !== 'string')) return this.#ws.close(1003, 'expected {"type":"select","id":…}');
    this.#selected = id;
    if (id !== null) this.#sendDetail(id);
  }

  #changed(change: TimelineChange): void {
    const id = change.type === 'gone' ? change.id : change.container.id;
    this.#pending.set(id, change.type === 'gone' ? null : summaryOf(change.container));
    if (id === this.#selected) this.#sendDetail(id);
    if (this.#flushing) return;
    this.#flushing = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushing = false;
    const updates: ContainerSummary[] = [];
    const gone: string[] = [];
    for (const [id, summary] of this.#pending) summary ? updates.push(summary) : gone.push(id);
    this.#pending = new Map();
    this.#send({ type: 'changes', updates, gone });
  }

  #sendDetail(id: string): void {
    this.#send({ type: 'detail', id, container: this.#timeline.get(id) ?? null });
  }

  #send(message: object): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(message));
  }
}
