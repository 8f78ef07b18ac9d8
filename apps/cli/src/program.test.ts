import { readFile } from 'node:fs/promises';
import { TasamError } from '@tasam/errors';
import { Command } from 'commander';
import { captureIO } from '../test/capture-io';
import { doctorCommand } from './commands/doctor';
import { ExitCode } from './exit-codes';
import { buildProgram, commandsFor, runCli } from './program';

describe('runCli', () => {
  it('prints the version', async () => {
    const io = captureIO();
    expect(await runCli(['--version'], io)).toBe(ExitCode.ok);
    expect(io.out().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists subcommands in --help', async () => {
    const io = captureIO();
    expect(await runCli(['--help'], io)).toBe(ExitCode.ok);
    expect(io.out()).toContain('doctor');
  });

  it('rejects an unknown flag with exit code 2 and a usage hint', async () => {
    const io = captureIO();
    expect(await runCli(['doctor', '--frobnicate'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain("unknown option '--frobnicate'");
    expect(io.err()).toContain('tasam doctor --help');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const io = captureIO();
    expect(await runCli(['segmnet'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain("unknown command 'segmnet'");
  });

  it('doctor --json reports healthy checks and writes only JSON to stdout', async () => {
    const io = captureIO();
    expect(await runCli(['doctor', '--json'], io)).toBe(ExitCode.ok);
    const report = JSON.parse(io.out()) as { ok: boolean; checks: { name: string; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining(['node', 'onnxruntime-node', 'sharp', 'sam models']),
    );
    expect(io.err()).toBe('');
  });

  it('doctor prints plain text without colour when NO_COLOR is set', async () => {
    const io = captureIO({ NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(await runCli(['doctor'], io)).toBe(ExitCode.ok);
    expect(io.out()).toMatch(/^ok +node +v\d+/m);
    expect(io.out()).not.toContain('\u001b[');
  });
});

describe('usage errors reach every command, including nested ones registered by factories', () => {
  // A factory shaped like the real ones: a parent command with a subcommand built by `new Command()`.
  const loraLike = () =>
    new Command('lora').description('LoRA tools').addCommand(
      new Command('inspect')
        .argument('<file>', 'a .safetensors file')
        .option('--json', 'machine output')
        .action(async (file: string) => {
          await readFile(file);
        }),
    );

  it('exits 2 with one error line and the usage on an unknown flag of a nested command', async () => {
    const io = captureIO();
    expect(await runCli(['lora', 'inspect', 'x.safetensors', '--frob'], io, [loraLike])).toBe(ExitCode.usage);
    const lines = io.err().trim().split('\n');
    expect(lines[0]).toBe("error: unknown option '--frob'");
    expect(lines[1]).toBe('Usage: tasam lora inspect [options] <file>');
    expect(lines[2]).toBe('(run `tasam lora inspect --help` for details)');
    expect(io.out()).toBe('');
  });

  it('exits 2 on a missing argument and on an extra one', async () => {
    const io = captureIO();
    expect(await runCli(['lora', 'inspect'], io, [loraLike])).toBe(ExitCode.usage);
    expect(io.err()).toContain("error: missing required argument 'file'");
    const extra = captureIO();
    expect(await runCli(['lora', 'inspect', 'a', 'b'], extra, [loraLike])).toBe(ExitCode.usage);
    expect(extra.err()).toContain('error: too many arguments');
  });

  it('exits 2 on an unknown nested command', async () => {
    const io = captureIO();
    expect(await runCli(['lora', 'inpsect'], io, [loraLike])).toBe(ExitCode.usage);
    expect(io.err()).toContain("error: unknown command 'inpsect'");
  });

  it('prints nested help on stdout and exits 0', async () => {
    const io = captureIO();
    expect(await runCli(['lora', 'inspect', '--help'], io, [loraLike])).toBe(ExitCode.ok);
    expect(io.out()).toContain('Usage: tasam lora inspect [options] <file>');
    expect(io.err()).toBe('');
  });

  it('exits 1 naming the input when a file cannot be read, without a stack trace', async () => {
    const io = captureIO();
    const code = await runCli(['lora', 'inspect', '/no/such/file.safetensors'], io, [loraLike]);
    expect(code).toBe(ExitCode.failure);
    expect(io.err()).toBe("tasam: ENOENT: no such file or directory, open '/no/such/file.safetensors'\n");
    expect(io.out()).toBe('');
  });

  it('exits 1 with the message of a TasamError', async () => {
    class BrokenInput extends TasamError<'BROKEN'> {
      constructor(input: string) {
        super('BROKEN', `${input}: not a LoRA file`);
      }
    }
    const failing = () =>
      new Command('check').argument('<file>').action((file: string) => {
        throw new BrokenInput(file);
      });
    const io = captureIO();
    expect(await runCli(['check', 'w.bin'], io, [failing])).toBe(ExitCode.failure);
    expect(io.err()).toBe('tasam: w.bin: not a LoRA file\n');
  });
});

describe('every registered subcommand', () => {
  const program = buildProgram(captureIO(), () => {});
  const walk = (command: Command): Command[] => [command, ...command.commands.flatMap(walk)];
  const leaves = walk(program).filter((command) => command !== program);

  it.each(leaves.map((command) => [command.name(), command] as const))(
    '%s rejects an unknown flag with exit 2',
    async (_name, command) => {
      const path: string[] = [];
      for (let c: Command | null = command; c && c !== program; c = c.parent) path.unshift(c.name());
      const io = captureIO();
      expect(await runCli([...path, '--no-such-flag-xyz'], io)).toBe(ExitCode.usage);
      expect(io.err()).toContain(`(run \`tasam ${path.join(' ')} --help\` for details)`);
      expect(io.out()).toBe('');
    },
  );

  it.each(leaves.filter((c) => c.commands.length === 0).map((command) => [command.name(), command] as const))(
    '%s has a description and an example in its --help',
    async (_name, command) => {
      const path: string[] = [];
      for (let c: Command | null = command; c && c !== program; c = c.parent) path.unshift(c.name());
      const io = captureIO();
      expect(await runCli([...path, '--help'], io)).toBe(ExitCode.ok);
      expect(command.description()).not.toBe('');
      expect(io.out()).toMatch(/Examples?:\n +\$ tasam /);
    },
  );
});

describe('a command group without its subcommand', () => {
  it('prints the help on stderr and exits 2', async () => {
    const group = () => new Command('lora').addCommand(new Command('inspect').action(() => {}));
    const io = captureIO();
    expect(await runCli(['lora'], io, [group])).toBe(ExitCode.usage);
    expect(io.err()).toContain('Usage: tasam lora [options] [command]');
    expect(io.out()).toBe('');
    const bare = captureIO();
    expect(await runCli([], bare, [group])).toBe(ExitCode.usage);
    expect(bare.err()).toContain('Usage: tasam [options] [command]');
  });
});

describe('commandsFor', () => {
  const entries = ['doctor', 'embed', 'lora'].map((name) => ({ name, load: () => doctorCommand }));
  const names = (argv: string[]) => commandsFor(argv, entries).map((entry) => entry.name);

  it('loads only the command that runs', () => {
    expect(names(['embed', 'dir', '--json'])).toEqual(['embed']);
    expect(names(['--no-color-ish', 'lora', 'inspect', 'x'])).toEqual(['lora']);
  });

  it('loads nothing for --version or a root option, everything for the root help or an unknown command', () => {
    expect(names(['--version'])).toEqual([]);
    expect(names(['--frobnicate'])).toEqual([]);
    expect(names(['-h'])).toEqual(['doctor', 'embed', 'lora']);
    expect(names(['--help'])).toEqual(['doctor', 'embed', 'lora']);
    expect(names([])).toEqual(['doctor', 'embed', 'lora']);
    expect(names(['segmnet'])).toEqual(['doctor', 'embed', 'lora']);
  });
});
