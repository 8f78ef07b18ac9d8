/**
 * Text-encoder benchmark: model load, per-sentence time alone and in a batch of 64, and memory, each run in
 * a fresh process (so load is cold), medians over the runs.
 *
 *   pnpm --filter @tasam/text-encoder bench [-- --runs 5] [--backend use-lite|minilm] [--text-model-dir DIR]
 *                                           [--tfjs-backend wasm|cpu]
 */
import { spawnSync } from 'node:child_process';
import { createTextEncoder } from '../src';

interface RunResult {
  loadMs: number;
  firstCallMs: number;
  singleMsPerSentence: number;
  batchedMsPerSentence: number;
  rssMb: number;
  peakRssMb: number;
  id: string;
  tfjsBackend?: string;
}

const CATEGORIES = ['person', 'bicycle', 'car', 'dog', 'cat', 'red apple', 'suitcase', 'traffic light'];
const PATTERNS = [
  (c: string) => `segment all ${c}s`,
  (c: string) => `select the ${c} on the left`,
  (c: string) => `highlight every ${c} in the picture`,
  (c: string) => `mask the small ${c}s near the road`,
  (c: string) => `find each ${c}`,
  (c: string) => `outline the ${c} that is closest to the camera`,
  (c: string) => `show me where the ${c}s are`,
  (c: string) => `cut out the ${c}`,
];
/** 64 distinct task sentences of 2 to 9 words. */
const SENTENCES = PATTERNS.flatMap((pattern) => CATEGORIES.map(pattern));

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function child(): Promise<void> {
  const tfjsBackend = argument('tfjs-backend');
  if (tfjsBackend) {
    // Choose tfjs' backend before the encoder does, as another package in the process would.
    const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-backend-cpu');
    require('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend(tfjsBackend);
  }
  const started = performance.now();
  const encoder = await createTextEncoder({
    backend: (argument('backend') ?? 'use-lite') as 'use-lite' | 'minilm',
    modelDir: argument('text-model-dir'),
    memoryCacheSize: 0,
  });
  const loadMs = performance.now() - started;
  let t = performance.now();
  await encoder.embed(SENTENCES.slice(0, 2));
  const firstCallMs = performance.now() - t;
  const single: number[] = [];
  for (const sentence of SENTENCES) {
    t = performance.now();
    await encoder.embed([sentence]);
    single.push(performance.now() - t);
  }
  const batched: number[] = [];
  for (let i = 0; i < 3; i++) {
    t = performance.now();
    await encoder.embed(SENTENCES);
    batched.push((performance.now() - t) / SENTENCES.length);
  }
  const result: RunResult = {
    id: encoder.id,
    loadMs,
    firstCallMs,
    singleMsPerSentence: median(single),
    batchedMsPerSentence: median(batched),
    rssMb: process.memoryUsage().rss / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    tfjsBackend: encoder.id.startsWith('use-lite')
      ? (require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core')).getBackend()
      : undefined,
  };
  await encoder.dispose();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function parent(): void {
  const runs = Number(argument('runs') ?? 5);
  const backend = argument('backend') ?? 'use-lite';
  const modelDir = argument('text-model-dir') ?? process.env.TASAM_TEXT_MODEL_DIR;
  if (backend === 'minilm' && !modelDir) {
    console.log('minilm: skipped, no weights (pass --text-model-dir DIR or set TASAM_TEXT_MODEL_DIR)');
    return;
  }
  const passOn = ['backend', 'tfjs-backend'].flatMap((name) => {
    const value = argument(name);
    return value ? [`--${name}`, value] : [];
  });
  if (modelDir) passOn.push('--text-model-dir', modelDir);
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run++) {
    const out = spawnSync(process.execPath, [__filename, '--child', ...passOn], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`benchmark run ${run} failed:\n${out.stderr}`);
    const result = JSON.parse(out.stdout.trim().split('\n').pop()!) as RunResult;
    results.push(result);
    process.stderr.write(
      `run ${run}/${runs}: load ${result.loadMs.toFixed(0)} ms, single ${result.singleMsPerSentence.toFixed(1)} ms, ` +
        `batched ${result.batchedMsPerSentence.toFixed(2)} ms/sentence\n`,
    );
  }
  const m = (key: keyof RunResult) => median(results.map((r) => r[key] as number));
  const single = m('singleMsPerSentence');
  const batched = m('batchedMsPerSentence');
  console.log(`${results[0].id}${results[0].tfjsBackend ? ` on tfjs ${results[0].tfjsBackend}` : ''}`);
  console.log(`medians over ${runs} fresh processes (${SENTENCES.length} task sentences, memory cache off):`);
  console.log(`  model load                 ${m('loadMs').toFixed(0)} ms`);
  console.log(`  first call (2 sentences)   ${m('firstCallMs').toFixed(0)} ms`);
  console.log(`  single, per sentence       ${single.toFixed(1)} ms   (64 calls of 1)`);
  console.log(
    `  batched, per sentence      ${batched.toFixed(2)} ms   (embed of 64, batches of 32; single/batched ${(single / batched).toFixed(1)})`,
  );
  console.log(
    `  RSS after                  ${m('rssMb').toFixed(0)} MB (peak ${m('peakRssMb').toFixed(0)} MB)`,
  );
}

if (process.argv.includes('--child')) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  parent();
}
