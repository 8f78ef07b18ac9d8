import { resolve } from 'node:path';
import { TaskLoraGenerator } from '@tasam/hypernet';
import { saveLora } from '@tasam/lora';
import { createTextEncoder } from '@tasam/text-encoder';
import { Command } from 'commander';
import { cacheDir } from '../cache-dir';
import { type CliIO, writeLine } from '../cli-context';

/** `tasam lora generate --task TEXT --out FILE`: a task's PEFT-style adapter from the hypernetwork. */
export function loraGenerateCommand(io: CliIO): Command {
  return new Command('generate')
    .description('write the LoRA adapter the hypernetwork generates for a task (PEFT-style safetensors)')
    .requiredOption('--task <text>', 'the task, e.g. "segment all people"')
    .requiredOption('--out <file>', 'adapter file to write (.safetensors)')
    .option('--checkpoint <file>', 'hypernetwork checkpoint (default: the one shipped with @tasam/hypernet)')
    .option('--json', 'print a JSON summary on stdout')
    .addHelpText(
      'after',
      '\nExample:\n  $ tasam lora generate --task "segment all people" --out people.safetensors',
    )
    .action(async (options: { task: string; out: string; checkpoint?: string; json?: boolean }) => {
      const encoder = await createTextEncoder({ backend: 'use-lite', cacheDir: cacheDir('text', io.env) });
      try {
        const generator = await TaskLoraGenerator.load({
          checkpoint: options.checkpoint ? resolve(options.checkpoint) : undefined,
          encoder,
        });
        const lora = await generator.generate(options.task);
        const out = resolve(options.out);
        await saveLora(out, lora);
        const summary = {
          out,
          task: options.task,
          rank: lora.rank,
          alpha: lora.alpha,
          layers: lora.layers.size,
          textEncoder: encoder.id,
        };
        if (options.json) writeLine(io.stdout, JSON.stringify(summary));
        else
          writeLine(
            io.stdout,
            `wrote ${out}: ${summary.layers} layers, rank ${lora.rank}, alpha ${lora.alpha} for "${options.task}"`,
          );
      } finally {
        await encoder.dispose();
      }
    });
}
