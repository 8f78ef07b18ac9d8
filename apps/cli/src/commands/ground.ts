import { Command, Option } from 'commander';
import { cacheDir } from '../cache-dir';
import { type CliIO, writeLine } from '../cli-context';
import { groundTasks } from '../task-grounding';
import { TaskLoraCache } from '../task-lora-cache';

interface GroundOptions {
  encoder: 'use-lite' | 'minilm';
  checkpoint?: string;
  cache: boolean;
  json?: boolean;
}

/**
 * `tasam ground TEXT...`: which COCO categories (and colour) each task selects, or that it names none (then
 * `segment --task` takes the task scorer's path). The encoder is the checkpoint's, as in `segment --task`.
 */
export function groundCommand(io: CliIO): Command {
  return new Command('ground')
    .description('ground task texts: the COCO categories and colour each selects, or "none"')
    .argument('<text...>', 'one or more task texts, e.g. "segment all red apples"')
    .addOption(
      new Option('--encoder <name>', 'text encoder of the checkpoint')
        .choices(['use-lite', 'minilm'])
        .default('use-lite'),
    )
    .option(
      '--checkpoint <file>',
      'hypernetwork checkpoint whose text encoder to use (default: the shipped one)',
    )
    .option('--no-cache', 'neither read nor write cached groundings (TASAM_CACHE/text)')
    .option(
      '--json',
      'print {"task","grounded","categories":[{"id","name","score"}],"colour"} per text (one JSON line each)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam ground "segment all red apples"',
        '  $ tasam ground "find the pooch" "segment vehicles" "segment the sky" --json',
      ].join('\n'),
    )
    .action(async (texts: string[], options: GroundOptions, command: Command) => {
      if (texts.some((t) => t.trim() === ''))
        command.error('error: a task text is empty or only whitespace', { exitCode: 2, code: 'tasam.usage' });
      const loras = await TaskLoraCache.open({
        checkpoint: options.checkpoint,
        encoder: options.encoder,
        textDir: options.cache ? cacheDir('text', io.env) : undefined,
        env: io.env,
      });
      try {
        const { groundings } = await groundTasks(texts, () => loras.textEncoder(), {
          cacheDir: options.cache ? cacheDir('text', io.env) : undefined,
          encoderName: options.encoder,
        });
        for (const g of groundings) {
          if (options.json) {
            writeLine(
              io.stdout,
              JSON.stringify({
                task: g.task,
                grounded: g.grounded,
                categories: g.categories,
                colour: g.colour,
              }),
            );
            continue;
          }
          const colour = g.colour ? `, colour ${g.colour}` : '';
          const what = g.grounded
            ? g.categories.map((c) => `${c.name} (${c.score.toFixed(2)})`).join(', ')
            : 'no COCO category: segment --task takes the task scorer path';
          writeLine(io.stdout, `${JSON.stringify(g.task)}: ${what}${colour}`);
        }
      } finally {
        await loras.dispose();
      }
    });
}
