/** Exit codes of `hf`, shared by every command. */

/** Everything was valid (or the command succeeded). */
export const EXIT_OK = 0;
/** An SLA or the session limit failed (the failures are listed under the table). */
export const EXIT_SLA_FAILED = 1;
/** Invalid input: a benchmark with errors, a bad option or argument. */
export const EXIT_INVALID = 2;
/**
 * The run could not execute: target unreachable, TLS failure, agent lost, pre
 * hook failed, a port already in use.
 */
export const EXIT_RUN_FAILED = 3;
/** Interrupted with Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;
/** A bug in hf: an exception nobody expected (BSD `EX_SOFTWARE`). */
export const EXIT_INTERNAL = 70;
