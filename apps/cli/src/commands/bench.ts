import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { type CliIO, writeLine } from '../cli-context';
import { BenchRunError } from '../errors/bench-run-error';
import { ImageInputError } from '../errors/image-input-error';
import { type Interrupt, withInterrupt } from '../interrupt';
import { parsePositiveInt } from '../number-options';
import { startProgress } from '../progress';

/** The committed sample images, when tasam runs from its repository (`apps/cli/dist/commands` → `examples`). */
const repositoryExamples = resolve(__dirname, '..', '..', '..', '..', 'examples');

/** What "cold" starts without: the per-image (embedding, detector boxes) and per-task caches. Prepared models stay. */
const coldKinds = ['embeddings', 'detections', 'loras', 'text'] as const;

export interface BenchRun {
  image: string;
  phase: 'cold' | 'warm';
  /** Wall-clock time of the whole `tasam segment` process, start-up included. */
  wallMs: number;
  /** The stage timings segment reported in its --json output. */
  timings: Record<string, number>;
}

export interface BenchImageResult {
  image: string;
  coldMs: number;
  warmMs: number;
  /** Median of each stage timing segment reported, per phase. */
  coldTimings: Record<string, number>;
  warmTimings: Record<string, number>;
}

export interface BenchReport {
  command: string[];
  runs: number;
  images: BenchImageResult[];
  /** Medians over every image's runs. */
  coldMs: number;
  warmMs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function medianTimings(runs: readonly BenchRun[]): Record<string, number> {
  const keys = new Set(runs.flatMap((run) => Object.keys(run.timings)));
  return Object.fromEntries(
    [...keys].map((key) => [key, median(runs.map((run) => run.timings[key] ?? Number.NaN))]),
  );
}

/** Runs `tasam segment IMAGE ARGS --json` in a child process and times it from spawn to exit. */
function timeSegment(
  bin: string,
  image: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  interrupt: Interrupt,
): Promise<BenchRun> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, 'segment', image, ...args, '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // A timing run has nothing to keep consistent (its cache is private and removed): on a stop request,
    // or when this process is forced to exit, end the run at once.
    const kill = () => child.kill('SIGKILL');
    const unsubscribe = interrupt.onRequest(kill);
    process.once('exit', kill);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      unsubscribe();
      process.off('exit', kill);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (interrupt.requested) {
        try {
          interrupt.throwIfRequested(`while timing ${image}`);
        } catch (error) {
          reject(error);
        }
        return;
      }
      if (code !== 0) {
        const lines = stderr.trim().split('\n');
        // The error line itself, not the usage hint that follows a usage error.
        const reason = lines.find((line) => /^(error|tasam):/.test(line)) ?? lines[lines.length - 1] ?? '';
        reject(new BenchRunError(image, code, reason.replace(/^tasam: /, '')));
        return;
      }
      let timings: Record<string, number> = {};
      try {
        const report = JSON.parse(stdout) as { timings?: Record<string, unknown> };
        timings = Object.fromEntries(
          Object.entries(report.timings ?? {}).filter(
            (entry): entry is [string, number] => typeof entry[1] === 'number',
          ),
        );
      } catch {
        // No parseable report: keep the wall-clock time only.
      }
      resolvePromise({ image, phase: 'cold', wallMs, timings });
    });
  });
}

function listDefaultImages(): string[] {
  if (!existsSync(repositoryExamples)) {
    throw new ImageInputError(repositoryExamples, 'no sample images here; name the images to benchmark');
  }
  return readdirSync(repositoryExamples)
    .filter((name) => name.toLowerCase().endsWith('.jpg'))
    .sort()
    .map((name) => join(repositoryExamples, name));
}

/**
 * Splits an argument string as a shell would for plain words and quotes: `--task "all cats" -x` gives
 * ['--task', 'all cats', '-x']. No escapes or expansions: this is for a few flags, not for scripts.
 */
export function splitArgs(line: string): string[] {
  const args: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    args.push(match[1] ?? match[2] ?? match[3]);
  }
  return args;
}

const formatMs = (ms: number) => (Number.isFinite(ms) ? `${Math.round(ms)} ms` : '-');

export function benchCommand(io: CliIO): Command {
  return new Command('bench')
    .description(
      'time `tasam segment` end to end in child processes: cold (no cached embedding or task LoRA) and warm',
    )
    .argument('[images...]', 'images to segment (default: the repository examples/*.jpg)')
    .option('--runs <n>', 'timed runs per image and phase; medians are reported', parsePositiveInt, 3)
    .option(
      '--segment-args <args>',
      'arguments for `tasam segment`, as on a shell line (quotes group words) (default: "--everything", or none with --task)',
    )
    .option('--task <text>', 'add `--task TEXT` to the segment arguments (task-aware mode)')
    .option('--json', 'print the report as JSON on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Each run starts a fresh `tasam segment IMAGE ARGS --json` process and times it from start to exit, so',
        'start-up and model loading count. Runs use a private cache: prepared models are kept (built once by an',
        'untimed first run); before each cold run the embeddings, detections, loras and text caches are emptied.',
        'No package exports a benchmark entry point; per-package benchmarks run with `pnpm bench`.',
        '',
        'Examples:',
        '  $ tasam bench',
        '  $ tasam bench examples/cats.jpg --runs 5 --segment-args "--point 240,150"',
        '  $ tasam bench examples/cats.jpg --task "segment all cats"',
        '  $ tasam bench --json > bench.json',
      ].join('\n'),
    )
    .action(
      async (
        images: string[],
        options: { runs: number; segmentArgs?: string; task?: string; json?: boolean },
      ) => {
        const targets = images.length > 0 ? images.map((image) => resolve(image)) : listDefaultImages();
        // --task finds every instance itself: the automatic mode's --everything is only the default without it.
        const segmentArgs = options.segmentArgs ?? (options.task === undefined ? '--everything' : '');
        const args = [
          ...splitArgs(segmentArgs),
          ...(options.task === undefined ? [] : ['--task', options.task]),
        ];
        const bin = resolve(__dirname, '..', 'bin.js');
        const root = mkdtempSync(join(tmpdir(), 'tasam-bench-'));
        const env = { ...io.env, TASAM_CACHE: root, NO_COLOR: '1' };
        const emptyColdCaches = () => {
          for (const kind of coldKinds) rmSync(join(root, kind), { recursive: true, force: true });
        };
        try {
          await withInterrupt(io, async (interrupt) => {
            // Untimed: builds the prepared models (the trunk ONNX) that every later run finds in the cache.
            writeLine(io.stderr, 'bench: a first, untimed run prepares the models ...');
            await timeSegment(bin, targets[0], args, env, interrupt);
            const progress = startProgress(io, {
              label: 'bench',
              total: targets.length * options.runs * 2,
              unit: 'run',
              json: options.json,
              interrupt,
            });
            const runs: BenchRun[] = [];
            try {
              for (const image of targets) {
                for (let r = 0; r < options.runs; r++) {
                  interrupt.throwIfRequested(`after ${runs.length} runs`);
                  emptyColdCaches();
                  runs.push({ ...(await timeSegment(bin, image, args, env, interrupt)), phase: 'cold' });
                  progress.advance();
                  runs.push({ ...(await timeSegment(bin, image, args, env, interrupt)), phase: 'warm' });
                  progress.advance();
                }
              }
            } finally {
              progress.stop();
            }
            const of = (image: string, phase: BenchRun['phase']) =>
              runs.filter((run) => run.image === image && run.phase === phase);
            const report: BenchReport = {
              command: ['tasam', 'segment', 'IMAGE', ...args, '--json'],
              runs: options.runs,
              images: targets.map((image) => ({
                image,
                coldMs: median(of(image, 'cold').map((run) => run.wallMs)),
                warmMs: median(of(image, 'warm').map((run) => run.wallMs)),
                coldTimings: medianTimings(of(image, 'cold')),
                warmTimings: medianTimings(of(image, 'warm')),
              })),
              coldMs: median(runs.filter((run) => run.phase === 'cold').map((run) => run.wallMs)),
              warmMs: median(runs.filter((run) => run.phase === 'warm').map((run) => run.wallMs)),
            };
            printReport(io, report, options.json);
          });
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    );
}

function printReport(io: CliIO, report: BenchReport, json: boolean | undefined): void {
  if (json) {
    writeLine(io.stdout, JSON.stringify(report));
    return;
  }
  writeLine(io.stdout, `${report.command.join(' ')}: medians of ${report.runs} runs, wall-clock per process`);
  const width = Math.max(5, ...report.images.map((image) => image.image.length));
  writeLine(io.stdout, `${'image'.padEnd(width)}  ${'cold'.padStart(9)}  ${'warm'.padStart(9)}`);
  for (const image of report.images) {
    writeLine(
      io.stdout,
      `${image.image.padEnd(width)}  ${formatMs(image.coldMs).padStart(9)}  ${formatMs(image.warmMs).padStart(9)}`,
    );
  }
  writeLine(
    io.stdout,
    `${'all'.padEnd(width)}  ${formatMs(report.coldMs).padStart(9)}  ${formatMs(report.warmMs).padStart(9)}`,
  );
  for (const image of report.images) {
    const stages = (timings: Record<string, number>) =>
      Object.entries(timings)
        .map(([key, ms]) => `${key} ${formatMs(ms)}`)
        .join(', ');
    if (Object.keys(image.coldTimings).length > 0) {
      writeLine(io.stdout, `${image.image}: cold stages: ${stages(image.coldTimings)}`);
      writeLine(io.stdout, `${image.image}: warm stages: ${stages(image.warmTimings)}`);
    }
  }
}
