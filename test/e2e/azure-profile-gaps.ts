// The e2e tests the daemon cannot yet survive on the simulator's azure profile (the e2e-azure
// project of vitest.config.ts), by full name ("describe > test"), each with what breaks. They are
// skipped there, visibly, with this reason; the README lists them. The daemon's own issue closes
// them: remove a line once its test passes on the azure profile. Never make one pass by softening
// the profile.
const LATE_LOGS =
  'with no agent, the output must come from Log Analytics, where rows become queryable only after the ingestion delay ' +
  '(ingestionDelayMs, plus newTableDelayMs for the first rows of the table), the table answering 400 SEM0100 until then; ' +
  'the attach ends before those rows arrive and gets no output';

export const AZURE_PROFILE_GAPS: ReadonlyMap<string, string> = new Map<string, string>([
  ['attach when the agent never makes contact > an attach without an upgrade (dockerode run) gets the output from Log Analytics', LATE_LOGS],
  ['attach when the agent never makes contact > a hijacked attach (docker run) gets the output from Log Analytics', LATE_LOGS],
]);
