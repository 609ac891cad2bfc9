import type { LogRow } from '../../../aca/cloud';
import { invalidParameter } from '../../../errdefs';
import { MULTIPLEXED, RAW } from '../../frames';
import { bool, int } from '../../query';
import { containerOf, type ContainerRoutes, type ContainersContext } from './deps';
import { rowStream } from './streams';

/** Seconds since the epoch (possibly fractional) or an RFC 3339 time, as `since`/`until` allow. */
function time(value: string | undefined, name: string): Date | undefined {
  if (!value || value === '0') return undefined;
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidParameter(`invalid value for ${name}: ${value}`);
  return date;
}

/** `GET /containers/{id}/logs`. */
export async function getContainersLogs(c: ContainersContext, d: ContainerRoutes) {
  const ref = containerOf(c, d);
  const q = (k: string) => c.req.query(k);
  const choice = { stdout: bool(q('stdout')), stderr: bool(q('stderr')), timestamps: bool(q('timestamps')), tty: ref.getSnapshot().context.config.Tty };
  if (!choice.stdout && !choice.stderr) throw invalidParameter('You must choose at least one stream');
  const tailValue = q('tail');
  const tailNumber = !tailValue || tailValue === 'all' ? undefined : int(tailValue, 'tail');
  // dockerd reads a negative tail (dockerode and Testcontainers send -1) as all lines.
  const tail = tailNumber !== undefined && tailNumber < 0 ? undefined : tailNumber;
  const snap = ref.getSnapshot();
  const contentType = choice.tty ? RAW : MULTIPLEXED;
  if (!snap.context.jobExists && !snap.context.execution) return c.body(null, 200, { 'Content-Type': contentType });
  const abort = new AbortController();
  c.env.outgoing?.once('close', () => abort.abort());
  const rows = d.backend.logs(ref, { since: time(q('since'), 'since'), until: time(q('until'), 'until'), tail, follow: bool(q('follow')), signal: abort.signal });
  const first = await rows.next(); // a query error becomes an error answer, not a cut stream
  async function* replay(): AsyncGenerator<LogRow> {
    if (first.done) return;
    yield first.value;
    yield* rows;
  }
  return c.body(rowStream(replay(), choice, abort), 200, { 'Content-Type': contentType });
}
