/** The documented exit codes of `tasam`. */
export const ExitCode = {
  ok: 0,
  /** A runtime failure: a file that cannot be read, a model that is missing, bad data. */
  failure: 1,
  /** The command line itself is wrong: unknown flag, missing argument, malformed value. */
  usage: 2,
} as const;
