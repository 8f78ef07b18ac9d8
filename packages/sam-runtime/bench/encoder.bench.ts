/**
 * Encoder bench: the fp32 encoder as shipped beside the int8 encoder and onnxruntime session options, in ONE run, on
 * the repository's example images; optionally how close each variant's embeddings are to fp32's on COCO images.
 *
 *   pnpm --filter @tasam/sam-runtime bench:encoder [-- --rounds 5 --cold-rounds 3 --coco /path/to/coco-mini --compare 20]
 *     [--variants int8,extended (the fp32 reference plus the variants whose name has one of the words)] [--images n]
 *
 * - cold: a new SamRuntime, its encoder session created, the first image embedded (what a one-shot
 *   `tasam segment` pays), with the model caches filled beforehand as after any first use (the int8 model
 *   and the onnxruntime-optimised graphs); the one-time int8 quantisation is reported on its own line.
 * - warm: the session reused; every variant embeds every image once per round, variants interleaved round by
 *   round so that load changes on a shared machine hit each alike; median (and CPU time) over all runs.
 * - faithfulness (--coco): cosine similarity and largest difference of each variant's embeddings against
 *   the fp32 encoder's on the first --compare images (file-name order) of --split (default val2017).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadImageRgb, type RgbImage } from '@tasam/coco-data';
import { prepareInt8Encoder, SamRuntime, type SamRuntimeOptions, type Tensor32 } from '@tasam/sam-runtime';

const repo = resolve(__dirname, '..', '..', '..');
const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(flag('rounds', '5'));
const COLD_ROUNDS = Number(flag('cold-rounds', '3'));
const COCO = flag('coco');
const SPLIT = flag('split', 'val2017') as string;
const COMPARE = Number(flag('compare', '20'));
const ONLY = flag('variants')?.split(',');
const IMAGES = Number(flag('images', '0')); // 0: all examples

interface Variant {
  name: string;
  options: SamRuntimeOptions;
}

/** The first is the reference: fp32 as shipped, SamRuntime's default session options (the default before int8). */
const ALL_VARIANTS: Variant[] = [
  { name: 'fp32 (level all, 2 threads)', options: { encoderPrecision: 'fp32' } },
  { name: 'fp32 level extended', options: { encoderPrecision: 'fp32', graphOptimizationLevel: 'extended' } },
  { name: 'fp32 1 thread', options: { encoderPrecision: 'fp32', intraOpThreads: 1 } },
  { name: 'fp32 no spinning', options: { encoderPrecision: 'fp32', allowSpinning: false } },
  { name: 'fp32 no cpu mem arena', options: { encoderPrecision: 'fp32', enableCpuMemArena: false } },
  {
    name: 'fp32 parallel, 2 inter-op',
    options: { encoderPrecision: 'fp32', executionMode: 'parallel', interOpThreads: 2 },
  },
  { name: 'int8 (level all, 2 threads)', options: { encoderPrecision: 'int8' } },
  { name: 'int8 level extended', options: { encoderPrecision: 'int8', graphOptimizationLevel: 'extended' } },
  { name: 'int8 no spinning', options: { encoderPrecision: 'int8', allowSpinning: false } },
  { name: 'int8 no cpu mem arena', options: { encoderPrecision: 'int8', enableCpuMemArena: false } },
];
const VARIANTS = ALL_VARIANTS.filter(
  (variant, i) => i === 0 || !ONLY || ONLY.some((word) => variant.name.includes(word)),
);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (ms: number) => ms.toFixed(0).padStart(6);

/** Wall and process CPU time (user + system) of `work`, in ms. */
async function measure(work: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

function cosine(a: Float32Array, b: Float32Array): { cosine: number; maxAbs: number } {
  let dot = 0;
  let a2 = 0;
  let b2 = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    a2 += a[i] * a[i];
    b2 += b[i] * b[i];
    maxAbs = Math.max(maxAbs, Math.abs(a[i] - b[i]));
  }
  return { cosine: dot / Math.sqrt(a2 * b2), maxAbs };
}

async function main(): Promise<void> {
  const exampleDir = join(repo, 'examples');
  const files = readdirSync(exampleDir)
    .filter((name) => name.endsWith('.jpg'))
    .sort()
    .slice(0, IMAGES > 0 ? IMAGES : undefined);
  const images: RgbImage[] = await Promise.all(files.map((name) => loadImageRgb(join(exampleDir, name))));
  console.log(
    `encoder bench: ${files.join(', ')}; ${ROUNDS} warm rounds, ${COLD_ROUNDS} cold rounds; node ${process.version}`,
  );
  console.log(
    `cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), load average at start ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  const scratch = mkdtempSync(join(tmpdir(), 'encoder-bench-'));
  // As the CLI runs: derived models cached, onnxruntime's optimised graphs saved and reloaded.
  const shared: SamRuntimeOptions = {
    modelCacheDir: join(scratch, 'models'),
    optimizedModelDir: join(scratch, 'models'),
  };

  // One-time costs: quantising the encoder, and each variant's first session (which saves the optimised graph).
  const probe = await SamRuntime.create(shared);
  const quantize = await measure(async () =>
    prepareInt8Encoder(probe.models.encoder, shared.modelCacheDir, (line) => console.log(`  ${line}`)),
  );
  console.log(
    `\nint8 encoder, first use only: quantise and cache ${fmt(quantize.wall)} ms (then read from the cache)`,
  );
  for (const variant of VARIANTS) {
    const runtime = await SamRuntime.create({ ...shared, ...variant.options });
    await runtime.loadSessions(['encoder']);
    await runtime.dispose();
  }

  // Cold: new runtime + session + first embedding, interleaved.
  const cold = VARIANTS.map(() => ({ session: [] as number[], total: [] as number[] }));
  for (let round = 0; round < COLD_ROUNDS; round++) {
    for (let v = 0; v < VARIANTS.length; v++) {
      const runtime = await SamRuntime.create({ ...shared, ...VARIANTS[v].options });
      const session = await measure(() => runtime.loadSessions(['encoder']));
      const first = await measure(() => runtime.embed(images[round % images.length]));
      cold[v].session.push(session.wall);
      cold[v].total.push(session.wall + first.wall);
      await runtime.dispose();
    }
  }

  // Warm: sessions kept, every image once per round per variant.
  const runtimes: SamRuntime[] = [];
  for (const variant of VARIANTS) {
    const runtime = await SamRuntime.create({ ...shared, ...variant.options });
    await runtime.embed(images[0]); // warm-up
    runtimes.push(runtime);
  }
  const warm = VARIANTS.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (let v = 0; v < VARIANTS.length; v++) {
      for (const image of images) {
        const time = await measure(() => runtimes[v].embed(image));
        warm[v].wall.push(time.wall);
        warm[v].cpu.push(time.cpu);
      }
    }
  }

  const reference = median(warm[0].wall);
  console.log(
    '\n| variant | cold ms (session + 1st image) | of which session | warm ms an image (median) | warm CPU ms | warm vs fp32 |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  const results: Record<string, unknown> = {};
  VARIANTS.forEach((variant, v) => {
    const row = {
      coldMs: median(cold[v].total),
      coldSessionMs: median(cold[v].session),
      warmMs: median(warm[v].wall),
      warmCpuMs: median(warm[v].cpu),
      warmRuns: warm[v].wall.length,
    };
    results[variant.name] = row;
    console.log(
      `| ${variant.name} | ${fmt(row.coldMs)} | ${fmt(row.coldSessionMs)} | ${fmt(row.warmMs)} | ${fmt(row.warmCpuMs)} | x${(reference / row.warmMs).toFixed(2)} |`,
    );
  });
  console.log(
    `(cold: median of ${COLD_ROUNDS}; warm: median of ${ROUNDS} rounds x ${images.length} images = ${ROUNDS * images.length} runs)`,
  );

  if (COCO) {
    const dir = join(resolve(COCO), SPLIT);
    const names = readdirSync(dir)
      .filter((name) => /\.(jpe?g|png)$/i.test(name))
      .sort()
      .slice(0, COMPARE);
    console.log(`\n# embeddings against the fp32 encoder's: ${names.length} images of ${dir}`);
    // Variants with the same precision and level give (near) the same numbers: compare one of each kind.
    const kinds = VARIANTS.map((variant, v) => ({ variant, v })).filter(
      ({ variant }, i, all) =>
        i > 0 &&
        all.findIndex(
          (other) =>
            other.variant.options.encoderPrecision === variant.options.encoderPrecision &&
            (other.variant.options.graphOptimizationLevel ?? 'all') ===
              (variant.options.graphOptimizationLevel ?? 'all'),
        ) === i,
    );
    const stats = kinds.map(() => ({ cosines: [] as number[], maxAbs: 0 }));
    for (const name of names) {
      const image = await loadImageRgb(join(dir, name));
      const reference: Tensor32 = await runtimes[0].embed(image);
      for (let k = 0; k < kinds.length; k++) {
        const other = await runtimes[kinds[k].v].embed(image);
        const c = cosine(reference.data, other.data);
        stats[k].cosines.push(c.cosine);
        stats[k].maxAbs = Math.max(stats[k].maxAbs, c.maxAbs);
      }
    }
    console.log('| variant | mean cosine | min cosine | largest abs difference |');
    console.log('|---|---:|---:|---:|');
    kinds.forEach(({ variant }, k) => {
      const mean = stats[k].cosines.reduce((a, b) => a + b, 0) / stats[k].cosines.length;
      const min = Math.min(...stats[k].cosines);
      results[`${variant.name} vs fp32`] = { meanCosine: mean, minCosine: min, maxAbs: stats[k].maxAbs };
      console.log(
        `| ${variant.name} | ${mean.toFixed(6)} | ${min.toFixed(6)} | ${stats[k].maxAbs.toExponential(2)} |`,
      );
    });
  }
  await Promise.all(runtimes.map((runtime) => runtime.dispose()));
  await probe.dispose();
  console.log(
    `\npeak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average at end ${loadavg()
      .map((v) => v.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `\nJSON ${JSON.stringify({ images: files, rounds: ROUNDS, coldRounds: COLD_ROUNDS, results })}`,
  );
  rmSync(scratch, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
