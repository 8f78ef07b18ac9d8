/**
 * Benchmarks of @tasam/sam-runtime, printed as medians: encoder, original decoder, trunk and heads per prompt,
 * the onnxruntime levers (optimisation level, intra-op threads, fetched outputs, optimised model cached on
 * disk) and end-to-end `tasam segment` (cold and with a cached embedding) with peak RSS.
 *
 *   pnpm --filter @tasam/sam-runtime bench [-- --runs 7 --image ../../examples/cats.jpg --skip-cli]
 *
 * The machine may be shared: compare ratios within one run rather than absolute numbers across runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeMask, loadImageRgb } from '@tasam/coco-data';
import {
  encodePrompt,
  type GraphOptimizationLevel,
  ImageFrame,
  maskLogits,
  type Prompt,
  predictHeads,
  runHeads,
  SamRuntime,
  type SamRuntimeOptions,
  selectMasks,
  stabilityScore,
  type Tensor32,
  thresholdLogits,
  upscaleLogits,
  upscaleMask,
} from '@tasam/sam-runtime';

const repo = resolve(__dirname, '..', '..', '..');
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const RUNS = Number(flag('runs', '5'));
const IMAGE = resolve(flag('image', join(repo, 'examples', 'cats.jpg')));
const SKIP_CLI = args.includes('--skip-cli');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

async function timeIt(runs: number, work: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times;
}

/** Process CPU time (user + system) of `work`: less sensitive than wall time to other processes. */
async function cpuTimeIt(runs: number, work: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    await work();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times;
}

const results: Record<string, number> = {};
function report(name: string, times: number[], per = 1): number {
  const value = median(times) / per;
  results[name] = value;
  console.log(
    `${name.padEnd(58)} ${fmt(value).padStart(8)} ms   (median of ${times.length}${per > 1 ? `, per prompt of ${per}` : ''})`,
  );
  return value;
}

async function main(): Promise<void> {
  console.log(`sam-runtime bench: ${IMAGE}, ${RUNS} runs per figure, node ${process.version}`);
  console.log(
    `cores ${cpus().length}, load average at start ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  const image = await loadImageRgb(IMAGE);
  const size = { width: image.width, height: image.height };
  const frame = new ImageFrame(size);
  const point = (fx: number, fy: number): Prompt => ({
    points: [{ x: fx * size.width, y: fy * size.height, label: 1 }],
  });
  const onePoint = point(0.4, 0.4);
  const scratch = mkdtempSync(join(tmpdir(), 'sam-bench-'));
  const modelCacheDir = join(scratch, 'models');

  // --- Encoder and the original decoder (default session options) ---
  console.log('\n# sessions, encoder and original decoder (graph optimisation "all", default threads)');
  const runtime = await SamRuntime.create({ modelCacheDir });
  for (const name of ['encoder', 'trunk', 'reference'] as const) {
    report(
      `session load: ${name === 'reference' ? 'original sam.onnx' : name}`,
      await timeIt(1, () => runtime.loadSessions([name])),
    );
  }
  const embedding: Tensor32 = await runtime.embed(image);
  report('encoder (embed, session reused)', await timeIt(Math.max(3, RUNS - 2), () => runtime.embed(image)));
  // Decoder variants interleaved round by round, so load changes on a shared machine hit each alike.
  const batch = Array.from({ length: 8 }, (_, i) => point(0.1 + 0.1 * i, 0.5));
  const decoderVariants: [string, () => Promise<unknown>, number][] = [
    ['original sam.onnx, 1 point, all outputs', () => runtime.referenceDecode(embedding, size, onePoint), 1],
    [
      'original sam.onnx, 1 point, fetch low-res + IoU only',
      () => runtime.referenceDecode(embedding, size, onePoint, { withMasks: false }),
      1,
    ],
    ['trunk, 1 prompt', () => runtime.trunk(embedding, [onePoint], size), 1],
    ['trunk, batch of 8', () => runtime.trunk(embedding, batch, size), 8],
  ];
  const decoderTimes = decoderVariants.map(() => [] as number[]);
  for (const [, work] of decoderVariants) await work(); // warm-up
  for (let round = 0; round < RUNS; round++) {
    for (let v = 0; v < decoderVariants.length; v++)
      decoderTimes[v].push(...(await timeIt(1, decoderVariants[v][1])));
  }
  console.log('\n# original decoder vs trunk, interleaved rounds');
  const [decoderAll, decoderLow, trunkOne, trunkBatched] = decoderVariants.map(([name, , per], v) =>
    report(name, decoderTimes[v], per),
  );
  console.log(
    `  original decoder, fetching only the outputs needed: x${(decoderAll / decoderLow).toFixed(2)} faster`,
  );
  console.log(
    `  trunk / original decoder: ${(trunkOne / decoderAll).toFixed(2)} (all outputs), ${(trunkOne / decoderLow).toFixed(2)} (low-res only); batched / single per prompt: ${(trunkBatched / trunkOne).toFixed(2)}`,
  );

  // --- Heads ---
  console.log('\n# TypeScript heads');
  const trunk = await runtime.trunk(embedding, [onePoint], size);
  const weights = runtime.headWeights();
  const tokens = encodePrompt(onePoint, frame).tokens;
  const headsSelected = report(
    'heads, MLPs + mask product of the selected mask',
    await timeIt(RUNS * 4, () => {
      const heads = predictHeads(trunk, weights);
      const [m] = selectMasks(heads.iouPredictions, tokens, 'auto');
      return maskLogits(trunk, heads.maskWeights, 0, m);
    }),
  );
  report(
    'heads, MLPs + mask product of the selected mask, CPU time',
    await cpuTimeIt(RUNS * 4, () => {
      const heads = predictHeads(trunk, weights);
      const [m] = selectMasks(heads.iouPredictions, tokens, 'auto');
      return maskLogits(trunk, heads.maskWeights, 0, m);
    }),
  );
  report(
    'heads, MLPs only (IoU + hypernetwork weights)',
    await timeIt(RUNS * 4, () => predictHeads(trunk, weights)),
  );
  report('heads, runHeads: all 4 masks', await timeIt(RUNS * 4, () => runHeads(trunk, weights)));
  const lowRes = runHeads(trunk, weights).lowResMasks.subarray(0, 65536);
  report(
    'postprocess: upscale to image, threshold, RLE',
    await timeIt(RUNS * 4, () =>
      encodeMask(thresholdLogits(upscaleLogits(lowRes, frame)), size.height, size.width),
    ),
  );
  report(
    'postprocess: upscaleMask (only the window the mask can reach) + stability, RLE',
    await timeIt(RUNS * 4, () => {
      const { mask, stabilityScore: score } = upscaleMask(lowRes, frame);
      return [encodeMask(mask, size.height, size.width), score];
    }),
  );
  report(
    'postprocess: upscaleLogits (whole image), threshold, stability, RLE',
    await timeIt(RUNS * 4, () => {
      const logits = upscaleLogits(lowRes, frame);
      return [encodeMask(thresholdLogits(logits), size.height, size.width), stabilityScore(logits)];
    }),
  );
  console.log(
    `  trunk + heads (selected mask): ${fmt(trunkOne + headsSelected)} ms vs original decoder ${fmt(decoderAll)} ms`,
  );
  await runtime.dispose();

  // --- Levers, interleaved round by round so load changes on a shared machine hit every variant alike ---
  console.log('\n# onnxruntime levers on the trunk (1 prompt), interleaved rounds');
  const levels: GraphOptimizationLevel[] = ['disabled', 'basic', 'extended', 'all'];
  const variants: { name: string; options: SamRuntimeOptions }[] = [];
  for (const threads of [1, 2]) {
    for (const level of levels) {
      variants.push({
        name: `trunk, level=${level}, threads=${threads}`,
        options: { graphOptimizationLevel: level, intraOpThreads: threads },
      });
    }
  }
  variants.push({
    name: 'trunk, level=all, threads=2, no spinning',
    options: { graphOptimizationLevel: 'all', intraOpThreads: 2, allowSpinning: false },
  });
  await interleaved(
    variants,
    RUNS,
    async (lever) => {
      await lever.trunk(embedding, [onePoint], size);
    },
    { modelCacheDir },
    (lever) => lever.loadSessions(['trunk']),
  );

  console.log('\n# encoder threads, interleaved rounds');
  await interleaved(
    [1, 2].map((threads) => ({ name: `encoder, threads=${threads}`, options: { intraOpThreads: threads } })),
    3,
    async (lever) => {
      await lever.embed(image);
    },
    { modelCacheDir },
    (lever) => lever.loadSessions(['encoder']),
  );

  console.log('\n# optimised model saved to disk, then loaded with optimisation off (session load)');
  const optimizedModelDir = join(scratch, 'optimized');
  const plainLoads: number[] = [];
  const savedLoads: number[] = [];
  for (let round = 0; round < 3; round++) {
    const plain = await SamRuntime.create({ modelCacheDir });
    plainLoads.push(...(await timeIt(1, () => plain.loadSessions(['encoder', 'trunk']))));
    await plain.dispose();
    const saved = await SamRuntime.create({ modelCacheDir, optimizedModelDir });
    const load = await timeIt(1, () => saved.loadSessions(['encoder', 'trunk']));
    if (round > 0)
      savedLoads.push(...load); // round 0 optimises and writes the files
    else report('session load encoder+trunk, optimise and save (first use)', load);
    await saved.dispose();
  }
  const plainLoad = report('session load encoder+trunk, optimise in memory', plainLoads);
  const savedLoad = report('session load encoder+trunk, load saved optimised models', savedLoads);
  console.log(`  saved optimised models: x${(plainLoad / savedLoad).toFixed(2)} faster session load`);
  const optimized = await SamRuntime.create({ modelCacheDir, optimizedModelDir });
  await optimized.trunk(embedding, [onePoint], size);
  report(
    'trunk from saved optimised model, 1 prompt',
    await timeIt(RUNS, () => optimized.trunk(embedding, [onePoint], size)),
  );
  await optimized.dispose();

  // --- CLI end to end ---
  const bin = join(repo, 'apps', 'cli', 'dist', 'bin.js');
  if (SKIP_CLI) console.log('\n# tasam segment: skipped (--skip-cli)');
  else if (!existsSync(bin)) console.log(`\n# tasam segment: skipped (${bin} not built)`);
  else benchCli(bin, scratch, size);

  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`\npeak RSS of this bench process: ${rss.toFixed(0)} MB`);
  console.log(
    `load average at end ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  console.log(`\nJSON ${JSON.stringify({ image: IMAGE, runs: RUNS, medianMs: results })}`);
  rmSync(scratch, { recursive: true, force: true });
}

/** Runs `work` on every variant once per round; reports session load and the median per variant. */
async function interleaved(
  variants: { name: string; options: SamRuntimeOptions }[],
  rounds: number,
  work: (runtime: SamRuntime) => Promise<void>,
  shared: SamRuntimeOptions,
  load: (runtime: SamRuntime) => Promise<void>,
): Promise<void> {
  const runtimes: SamRuntime[] = [];
  const loads: number[] = [];
  for (const variant of variants) {
    const runtime = await SamRuntime.create({ ...shared, ...variant.options });
    loads.push((await timeIt(1, () => load(runtime)))[0]);
    await work(runtime); // warm-up
    runtimes.push(runtime);
  }
  const times: number[][] = variants.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let v = 0; v < variants.length; v++) times[v].push(...(await timeIt(1, () => work(runtimes[v]))));
  }
  variants.forEach((variant, v) => {
    report(variant.name, times[v]);
    console.log(`  session load ${fmt(loads[v])} ms`);
  });
  await Promise.all(runtimes.map((runtime) => runtime.dispose()));
}

/** Wall time and peak RSS of `tasam segment` processes (GNU time), cold cache and warm (embedding cached). */
function benchCli(bin: string, scratch: string, size: { width: number; height: number }): void {
  console.log('\n# tasam segment IMAGE --point x,y --out mask.png (process start included)');
  const pointArg = `${Math.round(size.width * 0.4)},${Math.round(size.height * 0.4)}`;
  const run = (cache: string) => {
    const out = join(scratch, 'mask.png');
    const result = spawnSync(
      '/usr/bin/time',
      ['-f', 'TIME %e %M %U %S', process.execPath, bin, 'segment', IMAGE, '--point', pointArg, '--out', out],
      {
        encoding: 'utf8',
        env: { ...process.env, TASAM_CACHE: cache, NO_COLOR: '1' },
      },
    );
    const line = result.stderr.split('\n').find((l) => l.startsWith('TIME '));
    if (result.status !== 0 || !line) throw new Error(`tasam segment failed: ${result.stderr}`);
    const [, seconds, kb, user, system] = line.split(' ');
    return {
      ms: Number(seconds) * 1000,
      rssMb: Number(kb) / 1024,
      cpuMs: (Number(user) + Number(system)) * 1000,
    };
  };
  const cold = Array.from({ length: 3 }, (_, i) => run(join(scratch, `cold-${i}`)));
  const warmCache = join(scratch, 'warm');
  run(warmCache);
  const warm = Array.from({ length: RUNS }, () => run(warmCache));
  report(
    'tasam segment, cold (empty cache: trunk surgery + encoder)',
    cold.map((r) => r.ms),
  );
  report(
    'tasam segment, warm (cached embedding and trunk)',
    warm.map((r) => r.ms),
  );
  // CPU time (user + system) depends far less on other processes than wall time does.
  report(
    'tasam segment, cold, CPU time (user+sys)',
    cold.map((r) => r.cpuMs),
  );
  report(
    'tasam segment, warm, CPU time (user+sys)',
    warm.map((r) => r.cpuMs),
  );
  results['tasam segment peak RSS cold (MB)'] = Math.max(...cold.map((r) => r.rssMb));
  results['tasam segment peak RSS warm (MB)'] = Math.max(...warm.map((r) => r.rssMb));
  console.log(
    `  peak RSS: cold ${results['tasam segment peak RSS cold (MB)'].toFixed(0)} MB, warm ${results['tasam segment peak RSS warm (MB)'].toFixed(0)} MB`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
