import type { LogRow } from '../../../aca/cloud';
import { frame, nanoTimestamp } from '../../frames';

export interface StreamChoice {
  stdout: boolean;
  stderr: boolean;
  timestamps?: boolean;
  /** Tty containers get raw bytes; others Docker's multiplexed frames. */
  tty: boolean;
}

/** A log row as bytes on a Docker attach/logs stream, or undefined when its stream is not wanted. */
export function encodeRow(row: LogRow, choice: StreamChoice): Buffer | undefined {
  if (!choice[row.stream]) return undefined;
  const text = (choice.timestamps ? `${nanoTimestamp(row.time)} ` : '') + row.line + '\n';
  const payload = Buffer.from(text);
  return choice.tty ? payload : frame(row.stream, payload);
}

/** Rows → a byte stream for a Response body; aborts the source when the client goes away. */
export function rowStream(rows: AsyncGenerator<LogRow>, choice: StreamChoice, abort: AbortController): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      try {
        for (;;) {
          const next = await rows.next();
          if (next.done) return controller.close();
          const bytes = encodeRow(next.value, choice);
          if (bytes) return controller.enqueue(bytes);
        }
      } catch (err) {
        controller.error(err);
      }
    },
    cancel() {
      abort.abort();
      void rows.return(undefined);
    },
  });
}
