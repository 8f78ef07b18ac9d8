import { TasamError } from '@tasam/errors';
import { Command, CommanderError } from 'commander';
import { type CliIO, processIO, writeLine } from './cli-context';
import { type CommandEntry, type CommandFactory, commandEntries, loadCommandFactories } from './commands';
import { InterruptedError } from './errors/interrupted-error';
import { ExitCode } from './exit-codes';

const version = (require('../package.json') as { version: string }).version;

/** `tasam lora inspect`: the names from the root down to `command`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Gives `command` and every command below it the runner's behaviour: errors are thrown (never
 * `process.exit`), output goes through `io`, and a usage error prints one line, the usage and a hint.
 * Applied after all factories ran, so it also reaches nested commands (`lora inspect`) that a factory built
 * with `new Command()`, which do not inherit settings from their parent.
 */
function applyRunnerSettings(command: Command, io: CliIO): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
  });
  const usage = command.createHelp().commandUsage(command);
  command.showHelpAfterError(`Usage: ${usage}\n(run \`${commandPath(command)} --help\` for details)`);
  for (const sub of command.commands) applyRunnerSettings(sub, io);
}

/** Builds the `tasam` command tree. Each subcommand lives in its own module under commands/. */
export function buildProgram(
  io: CliIO,
  setExitCode: (code: number) => void,
  factories: readonly CommandFactory[] = loadCommandFactories(),
): Command {
  const program = new Command('tasam')
    .description('Task-aware Segment Anything: type a task, get the masks it asks for.')
    .version(version, '-V, --version')
    // Stated, not derived: with only the named command loaded (see commandsFor) commander would drop [command].
    .usage('[options] [command]')
    .addHelpText(
      'after',
      [
        '',
        'Exit codes: 0 ok, 1 runtime failure, 2 usage error, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).',
        'Environment: TASAM_CACHE (cache root, default ~/.cache/tasam), TASAM_COCO (COCO directory), ' +
          'TASAM_DETECTOR_MODELS and TASAM_DETECTOR_MODEL_DIR (the detector, e.g. a YOLOv8 you supply), NO_COLOR.',
      ].join('\n'),
    );
  for (const factory of factories) program.addCommand(factory(io, setExitCode));
  applyRunnerSettings(program, io);
  return program;
}

/** Node's own I/O errors (ENOENT, EACCES...) already name the path; print them without a stack. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  // Duck-typed: errors from Node's internals may come from another realm (jest), where instanceof fails.
  const candidate = error as Partial<NodeJS.ErrnoException> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.code === 'string' &&
    typeof candidate.syscall === 'string' &&
    typeof candidate.message === 'string'
  );
}

/**
 * The commands to load for `argv`: only the one it names (the first argument that is not an option; the
 * root command has no options that take a value), all of them for the root help and unknown names, and
 * none when no command is named otherwise (`--version`, a mistyped root option).
 */
export function commandsFor(
  argv: readonly string[],
  entries: readonly CommandEntry[] = commandEntries,
): CommandEntry[] {
  const name = argv.find((arg) => !arg.startsWith('-'));
  // Only the root help lists the commands; --version and a mistyped root option need none of them.
  if (name === undefined)
    return argv.length === 0 || argv.some((arg) => arg === '-h' || arg === '--help') ? [...entries] : [];
  const named = entries.filter((entry) => entry.name === name);
  return named.length > 0 ? named : [...entries];
}

/** Runs the CLI and resolves to its exit code; never calls process.exit itself. */
export async function runCli(
  argv: string[],
  io: CliIO = processIO(),
  factories?: readonly CommandFactory[],
): Promise<number> {
  let exitCode: number = ExitCode.ok;
  try {
    // Loading a command's module can fail too (a native binding that does not load): report it like any error.
    const program = buildProgram(
      io,
      (code) => {
        exitCode = code;
      },
      factories ?? loadCommandFactories(commandsFor(argv)),
    );
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; everything else commander raises is a usage error,
      // including help printed because a command group was run without its subcommand.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof InterruptedError) {
      writeLine(io.stderr, `tasam: ${error.message}`);
      return error.exitCode;
    }
    if (TasamError.isInstance(error) || isSystemError(error)) {
      writeLine(io.stderr, `tasam: ${error.message}`);
      return ExitCode.failure;
    }
    writeLine(io.stderr, `tasam: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return ExitCode.failure;
  }
}
