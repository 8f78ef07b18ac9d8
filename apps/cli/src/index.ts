export { type CacheKind, cacheDir, cacheRoot } from './cache-dir';
export { type CliIO, processIO } from './cli-context';
export { type DoctorCheck, runDoctorChecks } from './commands/doctor';
export { ExitCode } from './exit-codes';
export { buildProgram, runCli } from './program';
