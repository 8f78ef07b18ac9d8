export { type CacheKind, cacheDir, cacheRoot } from './cache-dir';
export { type CliIO, processIO } from './cli-context';
export { type DoctorCheck, runDoctorChecks } from './commands/doctor';
export { InterruptedError } from './errors/interrupted-error';
export { ExitCode } from './exit-codes';
export { Interrupt, type InterruptOptions, type SignalSource, withInterrupt } from './interrupt';
export { buildProgram, runCli } from './program';
export {
  formatDuration,
  formatProgressLine,
  formatRate,
  type Progress,
  type ProgressMode,
  type ProgressOptions,
  type ProgressSummary,
  progressMode,
  startProgress,
  timedStep,
} from './progress';
