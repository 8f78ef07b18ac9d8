/** Environment variables that stand in for a `tasam eval` flag when the flag is not given. */
const FLAG_VARIABLES = [
  ['TASAM_COCO', 'coco'],
  ['TASAM_DETECTOR_MODELS', 'detectorModels'],
  ['TASAM_DETECTOR_MODEL_DIR', 'detectorModelDir'],
] as const;

type FlagName = (typeof FLAG_VARIABLES)[number][1];

/** A shell word: as is when plain, else single-quoted (a ' inside becomes '\''). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The command that reproduces a run, for its report: the environment variables that stood in for flags not given
 * (e.g. TASAM_DETECTOR_MODELS=yolov8s), then `tasam eval` and the arguments as typed.
 */
export function evalInvocation(
  args: readonly string[],
  flags: Partial<Record<FlagName, unknown>>,
  env: NodeJS.ProcessEnv,
): string {
  const variables = FLAG_VARIABLES.filter(
    ([name, flag]) => flags[flag] === undefined && env[name]?.trim(),
  ).map(([name]) => `${name}=${shellWord(env[name] as string)}`);
  return [...variables, 'tasam eval', ...args.map(shellWord)].join(' ');
}
