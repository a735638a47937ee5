/** Exit codes of `hf`, shared by every command. */

/** Everything was valid (or the command succeeded). */
export const EXIT_OK = 0;
/** Invalid input: a benchmark with errors, a bad option or argument. */
export const EXIT_INVALID = 2;
/** A bug in hf: an exception nobody expected (BSD `EX_SOFTWARE`). */
export const EXIT_INTERNAL = 70;
