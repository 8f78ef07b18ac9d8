/** The documented exit codes of `tasam`. */
export const ExitCode = {
  ok: 0,
  /** A runtime failure: a file that cannot be read, a model that is missing, bad data. */
  failure: 1,
  /** The command line itself is wrong: unknown flag, missing argument, malformed value. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT) after finishing the current step: 128 + 2, as shells report it. */
  interrupted: 130,
  /** Stopped by SIGTERM (a scheduler pre-empting the job) after finishing the current step: 128 + 15. */
  terminated: 143,
} as const;
