import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import type { LogRow } from '../../../aca/cloud';
import type { AgentLink } from '../../../daemon/agent/link';
import type { OutputSink } from '../../../daemon/agent/process-channel';
import type { AttachSource } from '../../../daemon/attach-source';
import { invalidParameter } from '../../../errdefs';
import { MULTIPLEXED, RAW } from '../../frames';
import { readUpgradeBody, takeOver } from '../../hijack';
import { bool } from '../../query';
import { containerOf, type ContainerRoutes, type ContainersContext } from './deps';
import { bodySink, socketSink } from './sinks';
import { encodeRow, type StreamChoice } from './streams';

/**
 * Feeds a client's stdin to the main process through the agent, pausing the client while the
 * window is full. EOF closes the process's stdin when the container was created with StdinOnce
 * (`docker run -i`), and output keeps flowing after the client's half-close.
 */
function pipeStdin(socket: Duplex, link: AgentLink, stdinOnce: boolean): void {
  socket.on('data', (chunk: Buffer) => {
    if (link.main.writeStdin(chunk)) return;
    socket.pause();
    void link.main.room().then(() => socket.resume());
  });
  socket.on('end', () => stdinOnce && link.main.endStdin());
  socket.resume();
}

async function writeRows(rows: AsyncGenerator<LogRow>, socket: Duplex, choice: StreamChoice, signal: AbortSignal): Promise<void> {
  try {
    for await (const row of rows) {
      const bytes = encodeRow(row, choice);
      if (bytes && !socket.write(bytes)) await once(socket, 'drain', { signal });
    }
  } catch {
    // the client went away or the log source failed; either way the stream ends here
  }
}

/** `POST /containers/{id}/attach`: live through the agent, or from Log Analytics when there is none. */
export async function postContainersAttach(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const q = (k: string) => c.req.query(k);
  const config = ref.getSnapshot().context.config;
  const choice: StreamChoice = { stdout: bool(q('stdout')), stderr: bool(q('stderr')), tty: config.Tty };
  if (!bool(q('stream')) && !bool(q('logs'))) throw invalidParameter('attach needs stream=1 or logs=1');
  d.backend.announce(ref, 'attach');
  const contentType = config.Tty ? RAW : MULTIPLEXED;
  const abort = new AbortController();
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  let sink: OutputSink | undefined;
  let link: AgentLink | undefined;
  const onDrain = (s: OutputSink) => link?.main.drained(s);
  const source = (register: (l: AgentLink) => void): Promise<AttachSource> =>
    d.backend.attachSource(ref, { register: (l) => ((link = l), register(l)), done, signal: abort.signal });

  const hijack = c.env.hijack;
  if (!hijack) {
    // dockerode's run attaches without an upgrade: the output is the response body, no stdin.
    c.env.outgoing?.once('close', () => abort.abort());
    const out = bodySink(choice, onDrain, () => abort.abort());
    sink = out.sink;
    void source((l) => l.main.addSink(sink!))
      .then(async (s) => {
        if (s.kind === 'agent') return void (await s.link.main.ended);
        link?.main.removeSink(sink!);
        for await (const row of s.rows) {
          if (!sink!.write(row.stream, Buffer.from(row.line + '\n'))) await out.ready();
        }
      })
      // The client went away (which aborts a log query in flight) or the log source failed: the stream ends here.
      .catch(() => {})
      .finally(() => {
        sink!.end();
        ended();
      });
    return c.body(out.body, 200, { 'Content-Type': contentType });
  }

  await readUpgradeBody(hijack, Number(c.req.header('content-length') ?? 0));
  const socket = takeOver(hijack, contentType);
  socket.pause(); // stdin waits until it is known where it goes
  socket.on('close', () => {
    abort.abort();
    if (sink) link?.main.removeSink(sink);
    ended();
  });
  socket.on('finish', ended);
  sink = socketSink(socket, choice, onDrain);
  void source((l) => l.main.addSink(sink!)).then(async (s) => {
    if (s.kind === 'agent' && bool(q('stdin')) && config.OpenStdin) return pipeStdin(socket, s.link, config.StdinOnce);
    // Without an agent (or without stdin), what the client sends has nowhere to go: read and drop it.
    socket.on('data', () => {}).resume();
    if (s.kind === 'logs') {
      link?.main.removeSink(sink!);
      await writeRows(s.rows, socket, choice, abort.signal);
      socket.end();
    }
  }, () => socket.end());
  return new Response(null);
}
