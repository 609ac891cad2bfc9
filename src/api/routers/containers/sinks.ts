import type { Duplex } from 'node:stream';
import type { OutputSink } from '../../../daemon/agent/process-channel';
import { frame } from '../../frames';
import type { StreamChoice } from './streams';

/** The bytes a chunk of process output becomes on a Docker stream (undefined when not wanted). */
export function encodeChunk(stream: 'stdout' | 'stderr', data: Buffer, choice: StreamChoice): Buffer | undefined {
  if (!choice[stream] || data.length === 0) return undefined;
  return choice.tty ? data : frame(stream, data);
}

/** Output to a hijacked connection; congested while the socket's buffer is full. */
export function socketSink(socket: Duplex, choice: StreamChoice, onDrain: (sink: OutputSink) => void): OutputSink {
  const sink: OutputSink = {
    write(stream, data) {
      const bytes = encodeChunk(stream, data, choice);
      if (!bytes || socket.destroyed) return true;
      if (socket.write(bytes)) return true;
      socket.once('drain', () => onDrain(sink));
      return false;
    },
    end: () => socket.end(),
  };
  return sink;
}

/** Output to a streamed response body; congested while the body's queue is full. */
export function bodySink(choice: StreamChoice, onDrain: (sink: OutputSink) => void, onCancel: () => void) {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let congested = false;
  let wake: (() => void) | undefined;
  const sink: OutputSink = {
    write(stream, data) {
      const bytes = encodeChunk(stream, data, choice);
      if (!bytes || closed) return true;
      controller.enqueue(bytes);
      congested = (controller.desiredSize ?? 0) <= 0;
      return !congested;
    },
    end() {
      if (!closed) controller.close();
      closed = true;
    },
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => {
        wake?.();
        if (!congested) return;
        congested = false;
        onDrain(sink);
      },
      cancel: () => {
        closed = true;
        wake?.();
        onCancel();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
  /** Resolves once the body wants more (or is gone). */
  const ready = () => (closed || !congested ? Promise.resolve() : new Promise<void>((resolve) => (wake = resolve)));
  return { sink, body, ready };
}
