import { loadLora, summarizeLora } from '@tasam/lora';
import { Command } from 'commander';
import { type CliIO, writeLine } from '../cli-context';
import { parseFiniteNumber } from '../number-options';
import { loraGenerateCommand } from './lora-generate';

const norm = (value: number) => value.toPrecision(4);

/** `tasam lora inspect FILE`: what an adapter file holds, without loading any model. */
export function loraInspectCommand(io: CliIO): Command {
  return new Command('inspect')
    .description('show a LoRA adapter (.safetensors, PEFT names): targets, rank, alpha, norms, metadata')
    .argument('<file>', 'the adapter file')
    .option('--json', 'print the summary as JSON on stdout')
    .option(
      '--alpha <number>',
      'lora_alpha for plain PEFT files that keep it in adapter_config.json',
      parseFiniteNumber,
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam lora inspect apples.safetensors',
        '  $ tasam lora inspect peft-adapter.safetensors --alpha 16 --json',
      ].join('\n'),
    )
    .action(async (file: string, options: { json?: boolean; alpha?: number }) => {
      const weights = await loadLora(file, options.alpha === undefined ? {} : { alpha: options.alpha });
      const summary = summarizeLora(weights);
      if (options.json) {
        writeLine(io.stdout, JSON.stringify({ file, ...summary }));
        return;
      }
      const rule = weights.rsLora ? 'alpha/sqrt(r), rsLoRA' : 'alpha/r';
      writeLine(io.stdout, `adapter       ${file}`);
      writeLine(
        io.stdout,
        `rank ${summary.rank}, alpha ${summary.alpha}, scaling ${summary.scaling} (${rule}); ` +
          `${summary.layers.length} layers, ${summary.parameters} parameters`,
      );
      if (summary.textEncoder !== undefined) writeLine(io.stdout, `text encoder  ${summary.textEncoder}`);
      if (summary.task !== undefined) writeLine(io.stdout, `task          ${JSON.stringify(summary.task)}`);
      for (const [key, value] of Object.entries(summary.extra))
        writeLine(io.stdout, `${key.padEnd(13)} ${value}`);
      const width = Math.max(6, ...summary.layers.map((layer) => layer.path.length));
      writeLine(io.stdout);
      writeLine(
        io.stdout,
        `${'target'.padEnd(width)}  ${'in->out'.padEnd(9)} ${'|A|'.padStart(10)} ${'|B|'.padStart(10)} ${'|scaling*BA|'.padStart(13)}`,
      );
      for (const layer of summary.layers) {
        writeLine(
          io.stdout,
          `${layer.path.padEnd(width)}  ${`${layer.inFeatures}->${layer.outFeatures}`.padEnd(9)} ` +
            `${norm(layer.normA).padStart(10)} ${norm(layer.normB).padStart(10)} ${norm(layer.normDelta).padStart(13)}`,
        );
      }
    });
}

/** `tasam lora ...`: LoRA adapters for the mask decoder heads. */
export function loraCommand(io: CliIO): Command {
  return new Command('lora')
    .description('LoRA adapters for the mask decoder heads (inspect, generate)')
    .addCommand(loraInspectCommand(io))
    .addCommand(loraGenerateCommand(io));
}
