import type { Command } from 'commander';
import type { CliIO } from '../cli-context';

/** Builds one subcommand. `setExitCode` records a non-zero exit without throwing (e.g. doctor's findings). */
export type CommandFactory = (io: CliIO, setExitCode: (code: number) => void) => Command;

/**
 * A subcommand and how to load its module. Modules are required only when their command runs (or for the
 * full `tasam --help`), so `tasam doctor` does not pay for tfjs and `tasam segment` not for the trainer.
 */
export interface CommandEntry {
  name: string;
  load: () => CommandFactory;
}

/**
 * Every `tasam` subcommand, one module each. Add yours as ONE line, in this form:
 *   { name: 'my-command', load: () => require('./my-command').myCommand },
 * One line per subcommand, so commands added in parallel never edit the same line.
 */
export const commandEntries: readonly CommandEntry[] = [
  { name: 'doctor', load: () => require('./doctor').doctorCommand },
  { name: 'cache', load: () => require('./cache').cacheCommand },
  { name: 'embed', load: () => require('./embed').embedCommand },
  { name: 'embed-text', load: () => require('./embed-text').embedTextCommand },
  { name: 'lora', load: () => require('./lora').loraCommand },
  { name: 'coco-eval', load: () => require('./coco-eval').cocoEvalCommand },
  { name: 'bench', load: () => require('./bench').benchCommand },
  { name: 'train', load: () => require('./train').trainCommand },
  { name: 'segment', load: () => require('./segment').segmentCommand },
  { name: 'eval', load: () => require('./eval').evalCommand },
  { name: 'ground', load: () => require('./ground').groundCommand },
  { name: 'detect', load: () => require('./detect').detectCommand },
];

/** The factories of `entries`, loading their modules. */
export function loadCommandFactories(entries: readonly CommandEntry[] = commandEntries): CommandFactory[] {
  return entries.map((entry) => entry.load());
}
