// Fuzzed `tasam` command lines: random argv arrays, and command lines made of the real commands, their
// options and hostile values. Parsing is all that runs (every command's action is replaced by a recorder, so
// nothing is read, written or loaded): each argv must end in parsed options (exit 0), help or the version
// (exit 0), or a usage error (exit 2: one `error:` line and the usage), never in an unexpected error.
import type { Command } from 'commander';
import fc from 'fast-check';
import { fuzzTimeout, HOSTILE_VALUES, ParserFuzz } from '../../../tools/fuzz/fuzz-harness';
import { captureIO } from '../test/capture-io';
import { type CommandFactory, loadCommandFactories } from './commands';
import { ExitCode } from './exit-codes';
import { parseNonNegativeInt, parsePositiveInt } from './number-options';
import { buildProgram, runCli } from './program';
import { parseShard, type Shard } from './shard';

const fuzz = new ParserFuzz({ package: '@tasam/cli', parser: 'CLI arguments' });
afterAll(() => fuzz.report());

interface Parsed {
  code: number;
  out: string;
  err: string;
  /** The command that ran (its action replaced) and the options it received. */
  reached: { command: Command; options: Record<string, unknown> }[];
}

/** The real command factories, with every action replaced by one that records its parsed options. */
function parseOnly(reached: Parsed['reached']): CommandFactory[] {
  const stub = (command: Command) => {
    if ((command as unknown as { _actionHandler?: unknown })._actionHandler)
      command.action(() => {
        reached.push({ command, options: command.opts() });
      });
    for (const sub of command.commands) stub(sub);
  };
  return loadCommandFactories().map((factory) => (io, setExitCode) => {
    const command = factory(io, setExitCode);
    stub(command);
    return command;
  });
}

async function parse(argv: string[]): Promise<Parsed> {
  const reached: Parsed['reached'] = [];
  const io = captureIO({});
  const code = await runCli(argv, io, parseOnly(reached));
  return { code, out: io.out(), err: io.err(), reached };
}

/** Exit 0 or 2 only; a usage error says what is wrong and shows the usage; parsed numbers are numbers. */
function wellFormed({ code, out, err, reached }: Parsed): string | undefined {
  if (err.includes('unexpected error')) return `unexpected error: ${err.slice(0, 300)}`;
  if (code === ExitCode.usage) {
    if (!/(^|\n)(error: |Usage: )/.test(err))
      return `usage error without a message: ${JSON.stringify(err.slice(0, 200))}`;
    return undefined;
  }
  if (code !== ExitCode.ok) return `exit code ${code}: ${err.slice(0, 300)}`;
  if (reached.length === 0 && out === '') return 'exit 0 without running a command or printing help';
  for (const { command, options } of reached) {
    for (const [name, value] of Object.entries(options)) {
      const values = Array.isArray(value) ? value.flat(2) : [value];
      for (const v of values)
        if (typeof v === 'number' && !Number.isFinite(v)) return `option ${name} parsed to ${v}`;
    }
    // The shared whole-number parsers (number-options.ts) give the exact number typed, or a usage error.
    for (const option of command.options) {
      const parsed = options[option.attributeName()];
      if (parsed === undefined || parsed === option.defaultValue) continue;
      const whole =
        option.parseArg === parsePositiveInt || option.parseArg === parseNonNegativeInt
          ? [parsed]
          : option.parseArg === parseShard
            ? [(parsed as Shard).index, (parsed as Shard).count]
            : [];
      for (const n of whole)
        if (!Number.isSafeInteger(n))
          return `${option.long} parsed to ${n}, not the exact whole number typed`;
    }
  }
  return undefined;
}

// The real command tree, for command names, option flags and choices.
const program = buildProgram(captureIO(), () => {});
const walk = (command: Command): Command[] => [command, ...command.commands.flatMap(walk)];
const commands = walk(program);
const pathOf = (command: Command): string[] => {
  const path: string[] = [];
  for (let c: Command | null = command; c && c !== program; c = c.parent) path.unshift(c.name());
  return path;
};
const flags = [
  ...new Set(
    commands.flatMap((c) => c.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f))),
  ),
  '--help',
  '-h',
  '--version',
  '-V',
  '--',
  '-',
  '--no-such-flag',
];
const choices = [...new Set(commands.flatMap((c) => c.options.flatMap((o) => o.argChoices ?? [])))];

const value = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '1',
    '-1',
    '2.5',
    '1e999',
    '-1e999',
    'NaN',
    'Infinity',
    '99999999999999999999',
    '9007199254740993',
    '0x10',
    '0/1',
    '1/0',
    '3/2',
    '1,2',
    '1,2,0',
    '1,2,3,4',
    'a,b',
    ',',
    '1,,2',
    'all',
    'click,box',
    'person,cat',
    '__proto__',
    'constructor',
    '..',
    '/',
    '-x',
    '--=',
    '\u0000',
    'é',
    'x'.repeat(300),
  ),
  ...(choices.length > 0 ? [fc.constantFrom(...choices)] : []),
  fc.constantFrom(...HOSTILE_VALUES.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)))),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
);
const flag = fc.constantFrom(...flags);
const token = fc.oneof(
  fc.constantFrom(...commands.filter((c) => c !== program).map((c) => c.name())),
  flag,
  fc.tuple(flag, value).map(([f, v]) => (f.startsWith('--') ? `${f}=${v}` : `${f}${v}`)),
  value,
);

describe('CLI arguments under fuzzing', () => {
  it(
    'parse random argv arrays to options, help, or a usage error',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(token, { maxLength: 10 }), (argv) =>
          fuzz.runAsync(undefined, () => parse(argv), {
            check: wellFormed,
            rejected: ({ code }) => code === ExitCode.usage,
          }),
        ),
        fuzz.property('random argv'),
      );
    },
    fuzzTimeout(10),
  );

  it(
    'parse every command with its own options and hostile values',
    async () => {
      const leaves = commands.filter((c) => c !== program && c.commands.length === 0);
      const line = fc.constantFrom(...leaves).chain((command) => {
        const own = command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => !!f));
        const item = fc.oneof(
          {
            arbitrary: fc.tuple(fc.constantFrom(...own, '--help'), value).map(([f, v]) => [f, v]),
            weight: 6,
          },
          { arbitrary: fc.constantFrom(...own).map((f) => [f]), weight: 2 },
          { arbitrary: value.map((v) => [v]), weight: 2 },
        );
        return fc.array(item, { maxLength: 6 }).map((items) => [...pathOf(command), ...items.flat()]);
      });
      await fc.assert(
        fc.asyncProperty(line, (argv) =>
          fuzz.runAsync(undefined, () => parse(argv), {
            check: wellFormed,
            rejected: ({ code }) => code === ExitCode.usage,
          }),
        ),
        fuzz.property('commands with their options'),
      );
    },
    fuzzTimeout(10),
  );
});
