import { join } from 'node:path';
import {
  type BackendName,
  cosineSimilarity,
  createTextEncoder,
  TEXT_ENCODER_BACKENDS,
} from '@tasam/text-encoder';
import { Command, Option } from 'commander';
import { cacheDir } from '../cache-dir';
import { type CliIO, writeLine } from '../cli-context';

interface EmbedTextOptions {
  encoder: BackendName;
  textModelDir?: string;
  allowDownload?: boolean;
  cache: boolean;
  json?: boolean;
}

/** How many leading values of each vector the human-readable output shows. */
const SHOWN_VALUES = 8;

const formatValue = (x: number) => (x < 0 ? '' : ' ') + x.toFixed(4);

/** `tasam embed-text TEXT...`: the sentence vectors the hypernetwork receives for task texts. */
export function embedTextCommand(io: CliIO): Command {
  return new Command('embed-text')
    .description('embed task texts with the text encoder (L2-normalised vectors); offline with use-lite')
    .argument('<text...>', 'one or more task texts, e.g. "segment all people"')
    .addOption(
      new Option('--encoder <name>', 'text encoder backend')
        .choices(TEXT_ENCODER_BACKENDS)
        .default('use-lite'),
    )
    .option(
      '--text-model-dir <dir>',
      'minilm: local ONNX export of all-MiniLM-L6-v2 (or TASAM_TEXT_MODEL_DIR)',
    )
    .option(
      '--allow-download',
      'minilm: download the model from the Hugging Face hub if the directory has none',
    )
    .option('--no-cache', 'neither read nor write the text-vector cache (TASAM_CACHE/text)')
    .option('--json', 'print {encoder, dim, embeddings: [{text, vector}]} as JSON on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam embed-text "segment all people"',
        '  $ tasam embed-text "segment all red apples" "select the red apples" "highlight all suitcases"',
        '  $ tasam embed-text --encoder minilm --text-model-dir ./all-MiniLM-L6-v2 "mask the dogs" --json',
      ].join('\n'),
    )
    .action(async (texts: string[], options: EmbedTextOptions) => {
      const encoder = await createTextEncoder({
        backend: options.encoder,
        modelDir: options.textModelDir,
        allowDownload: options.allowDownload ?? false,
        downloadDir: join(cacheDir('models', io.env), 'hub'),
        cacheDir: options.cache ? cacheDir('text', io.env) : undefined,
        env: io.env,
        onProgress: (message) => writeLine(io.stderr, message),
      });
      try {
        const vectors = await encoder.embed(texts);
        if (options.json) {
          const embeddings = texts.map((text, i) => ({ text, vector: Array.from(vectors[i]) }));
          writeLine(io.stdout, JSON.stringify({ encoder: encoder.id, dim: encoder.dim, embeddings }));
          return;
        }
        writeLine(io.stdout, `${encoder.id}  ${encoder.dim}-d, L2-normalised`);
        const width = String(texts.length).length;
        texts.forEach((text, i) => {
          const shown = Array.from(vectors[i].slice(0, SHOWN_VALUES), formatValue).join(' ');
          writeLine(io.stdout, `${String(i + 1).padStart(width)}  ${JSON.stringify(text)}`);
          writeLine(io.stdout, `${' '.repeat(width)}  [${shown} ...]`);
        });
        if (texts.length > 1) {
          writeLine(io.stdout, 'cosine similarity');
          const header = texts.map((_, j) => String(j + 1).padStart(6)).join(' ');
          writeLine(io.stdout, `${' '.repeat(width)} ${header}`);
          texts.forEach((_, i) => {
            const row = texts.map((__, j) => cosineSimilarity(vectors[i], vectors[j]).toFixed(3).padStart(6));
            writeLine(io.stdout, `${String(i + 1).padStart(width)} ${row.join(' ')}`);
          });
        }
      } finally {
        await encoder.dispose();
      }
    });
}
