import { TasamError } from '@tasam/errors';
import { Command, CommanderError } from 'commander';
import { type CliIO, processIO, writeLine } from './cli-context';
import { commandFactories } from './commands';
import { ExitCode } from './exit-codes';

const version = (require('../package.json') as { version: string }).version;

/** Builds the `tasam` command tree. Each subcommand lives in its own module under commands/. */
export function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command('tasam')
    .description('Task-aware Segment Anything: type a task, get the masks it asks for.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();
  for (const factory of commandFactories) program.addCommand(factory(io, setExitCode));
  for (const command of program.commands) {
    command
      .exitOverride()
      .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) });
    command.showHelpAfterError('(run `tasam ' + command.name() + ' --help` for usage)');
  }
  return program;
}

/** Runs the CLI and resolves to its exit code; never calls process.exit itself. */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version "errors" are successful exits; everything else commander raises is a usage error.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.ok;
      }
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (TasamError.isInstance(error)) {
      writeLine(io.stderr, `tasam: ${error.message}`);
      return ExitCode.failure;
    }
    writeLine(io.stderr, `tasam: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return ExitCode.failure;
  }
}
