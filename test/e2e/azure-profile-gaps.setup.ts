// Setup of the e2e-azure project: skips the known gaps of the daemon, visibly, with their reason.
import { beforeEach } from 'vitest';

import { AZURE_PROFILE_GAPS } from './azure-profile-gaps';

/** "describe > … > test", as listed in azure-profile-gaps.ts. */
function fullName(task: { name: string; suite?: { name: string; suite?: unknown } }): string {
  const names = [task.name];
  for (let s = task.suite as { name: string; suite?: unknown } | undefined; s?.name; s = s.suite as typeof s) names.unshift(s.name);
  return names.join(' > ');
}

beforeEach((ctx) => {
  const reason = AZURE_PROFILE_GAPS.get(fullName(ctx.task));
  if (reason === undefined) return;
  const note = `known gap of the daemon on the azure profile: ${reason}`;
  // Said in the run's output too: the default reporter does not print a skip's note.
  console.warn(`SKIPPED ${fullName(ctx.task)}: ${note}`);
  ctx.skip(note);
});
