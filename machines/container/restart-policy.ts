// Docker's restart policies (moby restartmanager/restartmanager.go and daemon/monitor.go), as
// pure functions of the container's context: whether an exit restarts, and after how long.
import type { ContainerContext } from './types';

/** The first back-off; each restart in a row doubles it. */
export const FIRST_RESTART_DELAY_MS = 100;
/** Docker's cap on the back-off. */
export const MAX_RESTART_DELAY_MS = 60_000;
/** A run at least this long resets the back-off. */
export const RESET_AFTER_MS = 10_000;

/**
 * Whether the run that just ended restarts by policy. A user's `docker stop` wins over every
 * policy; `docker kill` counts as stopping the container for `unless-stopped`. A container whose
 * start failed, that is being removed or restarted, or that removes itself, does not restart.
 */
export function restartsByPolicy(ctx: ContainerContext): boolean {
  if (ctx.startFailed || ctx.intent !== null || ctx.hostConfig.AutoRemove) return false;
  if (ctx.stopRequest?.by === 'stop') return false;
  const { Name, MaximumRetryCount } = ctx.hostConfig.RestartPolicy;
  switch (Name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return ctx.stopRequest === null;
    case 'on-failure':
      return ctx.exitCode !== 0 && (MaximumRetryCount <= 0 || ctx.restartCount < MaximumRetryCount);
    default:
      return false;
  }
}

/** The back-off before the next restart: 100 ms, doubling, capped at a minute, reset by a run of 10 s. */
export function nextRestartDelay(ctx: Pick<ContainerContext, 'restartDelayMs' | 'startedAt' | 'finishedAt'>): number {
  const ran = Date.parse(ctx.finishedAt) - Date.parse(ctx.startedAt);
  const previous = ran >= RESET_AFTER_MS ? 0 : ctx.restartDelayMs;
  return previous === 0 ? FIRST_RESTART_DELAY_MS : Math.min(previous * 2, MAX_RESTART_DELAY_MS);
}
