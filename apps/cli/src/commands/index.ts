import type { Command } from 'commander';
import type { CliIO } from '../cli-context';
import { cacheCommand } from './cache';
import { doctorCommand } from './doctor';
import { embedCommand } from './embed';
import { embedTextCommand } from './embed-text';
import { loraCommand } from './lora';

/** Builds one subcommand. `setExitCode` records a non-zero exit without throwing (e.g. doctor's findings). */
export type CommandFactory = (io: CliIO, setExitCode: (code: number) => void) => Command;

/** Every `tasam` subcommand, one module each; add new ones here. */
export const commandFactories: CommandFactory[] = [
  // One line per subcommand, so commands added in parallel never edit the same line.
  doctorCommand,
  cacheCommand,
  embedCommand,
  embedTextCommand,
  loraCommand,
];
