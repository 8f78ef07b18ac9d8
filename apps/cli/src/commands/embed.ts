import { cpus } from 'node:os';
import { basename, resolve } from 'node:path';
import { loadImageRgb } from '@tasam/coco-data';
import {
  DEFAULT_ENCODER_PRECISION,
  EmbeddingCache,
  type EncoderPrecision,
  SamRuntime,
} from '@tasam/sam-runtime';
import { Command } from 'commander';
import { cacheDir } from '../cache-dir';
import { type CliIO, writeLine } from '../cli-context';
import {
  defaultManifestDir,
  type EmbeddingManifest,
  type EmbeddingSource,
  type ManifestImage,
  mergeShardManifests,
  writeShardManifest,
} from '../embedding-manifest';
import { encoderPrecisionOption } from '../encoder-precision-option';
import { type ImageInput, listCocoSplit, listImageDir } from '../image-inputs';
import { type Interrupt, withInterrupt } from '../interrupt';
import { parsePositiveInt } from '../number-options';
import { formatDuration, formatRate, startProgress, timedStep } from '../progress';
import { formatShard, parseShard, type Shard, shardSlice, wholeShard } from '../shard';
import { runShardWorkers } from '../workers';

interface EmbedOptions {
  coco?: string;
  split?: string;
  shard?: Shard;
  workers?: number;
  threads?: number;
  encoderPrecision?: EncoderPrecision;
  out?: string;
  merge?: boolean;
  json?: boolean;
}

/** What one `tasam embed` process (or all its workers) did; the --json output. */
export interface EmbedSummary {
  source: EmbeddingSource;
  shard: Shard;
  images: number;
  computed: number;
  cached: number;
  elapsedMs: number;
  /** The shard manifest written, or the merged manifest when the whole list was done. */
  manifest: string;
}

function resolveSource(
  dir: string | undefined,
  options: EmbedOptions,
  io: CliIO,
  command: Command,
): EmbeddingSource {
  const usage = (message: string): never =>
    command.error(`error: ${message}`, { exitCode: 2, code: 'tasam.usage' });
  if (dir !== undefined && (options.coco !== undefined || options.split !== undefined)) {
    return usage('give either DIR or --coco DIR --split NAME, not both');
  }
  if (dir !== undefined) return { kind: 'dir', dir: resolve(dir) };
  if (options.split === undefined) {
    return usage(
      options.coco ? '--coco needs --split NAME (e.g. val2017)' : 'missing DIR (or --coco DIR --split NAME)',
    );
  }
  const coco = options.coco ?? io.env.TASAM_COCO;
  if (!coco) return usage('--split needs --coco DIR or the TASAM_COCO environment variable');
  return { kind: 'coco', dir: resolve(coco), split: options.split };
}

function listSource(source: EmbeddingSource): Promise<ImageInput[]> {
  return source.kind === 'dir' ? listImageDir(source.dir) : listCocoSplit(source.dir, source.split);
}

function describeSource(source: EmbeddingSource): string {
  return source.kind === 'dir' ? source.dir : `${source.dir} ${source.split}`;
}

/** Embeds one shard's images in this process, one at a time; each embedding is written atomically. */
async function embedShard(
  io: CliIO,
  source: EmbeddingSource,
  inputs: readonly ImageInput[],
  shard: Shard,
  manifestDir: string,
  options: EmbedOptions,
  interrupt: Interrupt,
): Promise<EmbedSummary> {
  const started = Date.now();
  const slice = shardSlice(inputs, shard);
  const embeddingsDir = cacheDir('embeddings', io.env);
  const runtime = await timedStep(
    io,
    'loading SAM',
    () =>
      SamRuntime.create({
        modelCacheDir: cacheDir('models', io.env),
        embeddingCacheDir: embeddingsDir,
        intraOpThreads: options.threads,
        encoderPrecision: options.encoderPrecision,
        log: (line) => writeLine(io.stderr, line),
      }),
    { json: options.json },
  );
  // The model that runs (for int8, the quantised one, built here on first use).
  const encoderSha256 = runtime.encoderDigest();
  // The same keys as the runtime's own cache: the manifest names the file each embedding lives in.
  const cache = new EmbeddingCache(embeddingsDir, encoderSha256);
  const images: ManifestImage[] = [];
  let computed = 0;
  let cached = 0;
  const progress = startProgress(io, {
    label: 'embedding',
    total: slice.length,
    unit: 'image',
    json: options.json,
    interrupt,
  });
  try {
    for (const input of slice) {
      interrupt.throwIfRequested(
        `after ${images.length} of ${slice.length} images; run the same command again to resume`,
      );
      const image = await loadImageRgb(input.path);
      const result = await runtime.embedImage(image);
      if (result.cache === 'hit') cached += 1;
      else computed += 1;
      images.push({
        name: input.name,
        path: input.path,
        width: image.width,
        height: image.height,
        embedding: basename(cache.pathFor(EmbeddingCache.imageDigest(image))),
      });
      progress.advance();
    }
  } finally {
    progress.stop();
    await runtime.dispose();
  }
  const manifest: EmbeddingManifest = {
    format: 'tasam-embeddings',
    version: 1,
    source,
    encoder: { version: runtime.models.version, sha256: encoderSha256, precision: runtime.encoderPrecision },
    shard,
    images,
  };
  const written = await writeShardManifest(manifestDir, manifest);
  return {
    source,
    shard,
    images: images.length,
    computed,
    cached,
    elapsedMs: Date.now() - started,
    manifest: written,
  };
}

/** Runs the shard in `--workers` child processes and adds up what they report. */
async function embedWithWorkers(
  io: CliIO,
  source: EmbeddingSource,
  inputs: readonly ImageInput[],
  shard: Shard,
  manifestDir: string,
  options: EmbedOptions & { workers: number },
  interrupt: Interrupt,
): Promise<Omit<EmbedSummary, 'manifest'>> {
  const started = Date.now();
  const threads = options.threads ?? Math.max(1, Math.floor(cpus().length / options.workers));
  const sourceArgs = source.kind === 'dir' ? [source.dir] : ['--coco', source.dir, '--split', source.split];
  const outcomes = await runShardWorkers(io, {
    shard,
    workers: options.workers,
    total: shardSlice(inputs, shard).length,
    label: 'embedding',
    unit: 'image',
    json: options.json,
    interrupt,
    argsFor: (sub) => [
      'embed',
      ...sourceArgs,
      '--shard',
      formatShard(sub),
      '--threads',
      String(threads),
      '--encoder-precision',
      options.encoderPrecision ?? DEFAULT_ENCODER_PRECISION,
      '--out',
      manifestDir,
      '--json',
    ],
  });
  const totals = { images: 0, computed: 0, cached: 0 };
  for (const outcome of outcomes) {
    const lastLine = outcome.stdout.trim().split('\n').pop();
    if (!lastLine) continue; // stopped before it finished: nothing to add
    const summary = JSON.parse(lastLine) as EmbedSummary;
    totals.images += summary.images;
    totals.computed += summary.computed;
    totals.cached += summary.cached;
  }
  return { source, shard, ...totals, elapsedMs: Date.now() - started };
}

function printSummary(io: CliIO, summary: EmbedSummary, json: boolean | undefined): void {
  if (json) {
    writeLine(io.stdout, JSON.stringify(summary));
    return;
  }
  const shard = summary.shard.count > 1 ? ` (shard ${formatShard(summary.shard)})` : '';
  writeLine(
    io.stdout,
    `embedded ${summary.images} images of ${describeSource(summary.source)}${shard}: ${summary.computed} computed, ` +
      `${summary.cached} from cache, ${formatDuration(summary.elapsedMs / 1000)}, ` +
      `${formatRate(summary.images, summary.elapsedMs, 'image')}`,
  );
  writeLine(io.stdout, `manifest: ${summary.manifest}`);
}

export function embedCommand(io: CliIO): Command {
  return new Command('embed')
    .description('precompute SAM image embeddings (into the embedding cache) for a directory or a COCO split')
    .argument('[dir]', 'directory of images (searched recursively)')
    .option('--coco <dir>', 'COCO directory with annotations/ and image folders (default: $TASAM_COCO)')
    .option('--split <name>', 'COCO split to embed, e.g. val2017')
    .option('--shard <i/n>', 'embed only the i-th of n slices of the sorted image list (0-based)', parseShard)
    .option('--workers <n>', 'run n processes, each on its own slice, and merge', parsePositiveInt)
    .option(
      '--threads <n>',
      'onnxruntime threads per process (default: all cores, or cores / workers)',
      parsePositiveInt,
    )
    .addOption(encoderPrecisionOption())
    .option('--out <dir>', 'where manifests are written (default: inside the embedding cache)')
    .option(
      '--merge',
      'merge the shard manifests of earlier --shard runs into manifest.json and check coverage',
    )
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam embed examples/',
        '  $ tasam embed --coco ../shared/coco-mini --split val2017 --workers 2',
        '  $ tasam embed --coco /data/coco --split train2017 --shard "$JOB_COMPLETION_INDEX/8" --json',
        '  $ tasam embed --coco /data/coco --split train2017 --merge',
      ].join('\n'),
    )
    .action(async (dir: string | undefined, options: EmbedOptions, command: Command) => {
      const source = resolveSource(dir, options, io, command);
      if (options.merge && (options.shard || options.workers)) {
        command.error('error: --merge takes no --shard or --workers', { exitCode: 2, code: 'tasam.usage' });
      }
      const inputs = await listSource(source);
      const embeddingsDir = cacheDir('embeddings', io.env);
      const manifestDir = options.out ?? defaultManifestDir(embeddingsDir, source, options.encoderPrecision);
      const shard = options.shard ?? wholeShard;

      if (options.merge) {
        const merged = await mergeShardManifests(manifestDir, inputs, embeddingsDir);
        if (options.json)
          writeLine(
            io.stdout,
            JSON.stringify({ manifest: merged.path, images: inputs.length, shards: merged.shardFiles }),
          );
        else
          writeLine(
            io.stdout,
            `merged ${merged.shardFiles} shard manifests: ${inputs.length} images\nmanifest: ${merged.path}`,
          );
        return;
      }

      await withInterrupt(io, async (interrupt) => {
        let summary: EmbedSummary;
        if (options.workers && options.workers > 1) {
          const totals = await embedWithWorkers(
            io,
            source,
            inputs,
            shard,
            manifestDir,
            { ...options, workers: options.workers },
            interrupt,
          );
          interrupt.throwIfRequested(
            'after the current images; they are cached: run the same command again to resume',
          );
          // The workers together did this process's whole shard; with no --shard that is the whole list.
          const manifest =
            shard.count === 1
              ? (await mergeShardManifests(manifestDir, inputs, embeddingsDir)).path
              : manifestDir;
          summary = { ...totals, manifest };
        } else {
          summary = await embedShard(io, source, inputs, shard, manifestDir, options, interrupt);
          if (shard.count === 1)
            summary.manifest = (await mergeShardManifests(manifestDir, inputs, embeddingsDir)).path;
        }
        printSummary(io, summary, options.json);
      });
    });
}
