// Preloaded into the bench's daemon (node --import): every unhandled promise rejection is written
// to stderr with this mark, so the bench counts it as a failure. The daemon itself only logs them
// (AbortErrors at debug level), which a run that merely survives would hide.
const MARK = '[bench-tap] unhandled rejection:'; // bench/daemon-process.ts looks for it
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`${MARK} ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});
