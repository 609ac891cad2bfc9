// The e2e tests the daemon cannot yet survive on the simulator's azure profile (the e2e-azure
// project of vitest.config.ts), by full name ("describe > test"), each with what breaks. They are
// skipped there, visibly, with this reason; the README lists them. The daemon's own issue closes
// them: remove a line once its test passes on the azure profile. Never make one pass by softening
// the profile.
export const AZURE_PROFILE_GAPS: ReadonlyMap<string, string> = new Map<string, string>([
]);
