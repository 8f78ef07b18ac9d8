// Medians of: LoRA inference for one task (default-size hypernetwork), and one training step on a batch of
// 8 samples with real tensor shapes: 8 prompts and 8 tasks (every sample distinct), and 4 prompts with a
// negative twin each (as `tasam train` batches). Run: pnpm --filter @tasam/hypernet bench (after build).
const { HEAD_TARGETS } = require('@tasam/lora');
const hn = require('../dist');
const synthetic = require('../test/fixtures/synthetic-training.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const backend = process.argv[2] === 'cpu' ? 'cpu' : 'wasm';
  await hn.useBackend(backend);
  const config = hn.resolveConfig({ textEncoderId: 'use-lite', textDim: 512, targets: [...HEAD_TARGETS] });
  const net = hn.Hypernetwork.initialise(config, 0);
  const generator = hn.TaskLoraGenerator.fromNetwork(net);
  const vector = new Float32Array(512).fill(0.04);
  const inference = [];
  for (let i = 0; i < 12; i++) {
    const t = performance.now();
    generator.generateFromEmbedding(vector);
    inference.push(performance.now() - t);
  }
  console.log(`backend ${backend}; hypernetwork ${hn.Hypernetwork.parameterCount(config)} parameters`);
  console.log(`LoRA inference (1 task, uncached): median ${median(inference.slice(2)).toFixed(1)} ms`);

  const heads = new hn.TfHeads(synthetic.headWeights());
  const optimizer = new hn.AdamW(net.params);
  const one = (await synthetic.syntheticData().batches(0, 0)[Symbol.asyncIterator]().next()).value;
  const n = 8;
  const batchOf = (prompts) => ({
    trunk: {
      n: prompts,
      iouToken: Float32Array.from({ length: prompts * 256 }, (_, i) => Math.sin(i)),
      maskTokens: Float32Array.from({ length: prompts * 1024 }, (_, i) => Math.cos(i)),
      upscaled: new Float32Array(prompts * 32 * 65536).map(
        (_, i) => one.trunk.upscaled[i % one.trunk.upscaled.length],
      ),
    },
    samples: Array.from({ length: n }, (_, i) => ({
      ...one.samples[0],
      taskIndex: i,
      prompt: i % prompts,
      multimask: i % 2 === 0,
      negative: prompts < n && i >= prompts,
    })),
  });
  const data = {
    taskVectors: Array.from({ length: n }, (_, t) => vector.map((v, i) => v * Math.cos(t + i))),
  };
  for (const [label, prompts] of [
    ['8 prompts, 8 tasks', 8],
    ['4 prompts + 4 negative twins, 8 tasks', 4],
  ]) {
    const batch = batchOf(prompts);
    const steps = [];
    for (let i = 0; i < 6; i++) {
      const t = performance.now();
      hn.trainStep(net, heads, optimizer, data, batch, {
        step: i,
        totalSteps: 100,
        options: hn.DEFAULT_TRAIN_OPTIONS,
      });
      steps.push(performance.now() - t);
    }
    const step = median(steps.slice(1));
    console.log(
      `training step (${label}): median ${step.toFixed(0)} ms = ${((n * 1000) / step).toFixed(1)} samples/s (heads+hypernetwork+loss+AdamW, trunk excluded)`,
    );
  }
}

main();
