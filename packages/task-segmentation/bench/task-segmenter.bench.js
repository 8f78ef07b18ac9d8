// Task-aware automatic mode on one image: 1 task vs 80 tasks (COCO's categories) over the same shared grid
// trunk pass, plain SAM's baseline included in both, LoRAs generated beforehand (their cost is printed apart).
// Medians of --runs. Run after build:
//   node bench/task-segmenter.bench.js [--checkpoint FILE] [--image FILE] [--grid 8] [--runs 3]
// Without --checkpoint (and before the default checkpoint ships) the hypernetwork is a random one with
// non-zero B, so every task has its own LoRA and its own heads pass: the case a trained checkpoint gives.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { loadImageRgb } = require('@tasam/coco-data');
const { HEAD_TARGETS } = require('@tasam/lora');
const { SamRuntime } = require('@tasam/sam-runtime');
const { createTextEncoder } = require('@tasam/text-encoder');
const hn = require('@tasam/hypernet');
const { TaskSegmenter } = require('../dist');

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const repo = join(__dirname, '..', '..', '..');
const categories = require(join(repo, 'packages/coco-eval/test/fixtures/gt.json')).categories.map(
  (c) => c.name,
);

function randomNetwork(encoder) {
  const config = hn.resolveConfig({
    textEncoderId: encoder.id,
    textDim: encoder.dim,
    targets: [...HEAD_TARGETS],
  });
  const net = hn.Hypernetwork.initialise(config, 0);
  const arrays = net.toArrays();
  const rng = new hn.Rng(5);
  for (const [name, values] of arrays)
    if (name.startsWith('head_b.')) for (let i = 0; i < values.length; i++) values[i] = rng.normal() * 0.02;
  net.dispose();
  return hn.Hypernetwork.fromArrays(config, arrays);
}

async function main() {
  await hn.useBackend();
  const grid = Number(flag('grid', '8'));
  const runs = Number(flag('runs', '3'));
  const image = await loadImageRgb(flag('image', join(repo, 'examples', 'suitcases.jpg')));
  const size = { width: image.width, height: image.height };
  const encoder = await createTextEncoder({ backend: 'use-lite' });
  const checkpoint = flag(
    'checkpoint',
    existsSync(hn.defaultCheckpointPath()) ? hn.defaultCheckpointPath() : '',
  );
  const generator = checkpoint
    ? await hn.TaskLoraGenerator.load({ checkpoint, encoder })
    : hn.TaskLoraGenerator.fromNetwork(randomNetwork(encoder), encoder);
  const runtime = await SamRuntime.create();
  const segmenter = new TaskSegmenter(runtime, generator);
  const embedding = await runtime.embed(image);
  if (categories.length !== 80) throw new Error(`expected 80 COCO categories, got ${categories.length}`);
  const tasks = categories.map((name) => `segment all ${name}`);

  let t = performance.now();
  await segmenter.lora(tasks[0]);
  const oneLora = performance.now() - t;
  t = performance.now();
  await Promise.all(tasks.map((task) => segmenter.lora(task)));
  const allLoras = performance.now() - t;

  const options = { pointsPerSide: grid, baseline: true };
  await segmenter.automatic(embedding, size, tasks.slice(0, 1), options); // warm-up
  const one = [];
  const eighty = [];
  let heads = 0;
  let found = 0;
  for (let r = 0; r < runs; r++) {
    t = performance.now();
    await segmenter.automatic(embedding, size, tasks.slice(0, 1), options);
    one.push(performance.now() - t);
    t = performance.now();
    const result = await segmenter.automatic(embedding, size, tasks, options);
    eighty.push(performance.now() - t);
    heads = result.headsEvaluated;
    found = result.tasks.reduce((n, x) => n + x.instances.length, 0);
  }
  console.log(
    `task-segmenter bench: ${grid}x${grid} grid, ${checkpoint || 'random non-zero hypernetwork'}, ${runs} runs`,
  );
  console.log(
    `LoRA generation: first task ${oneLora.toFixed(0)} ms, remaining 79 tasks ${allLoras.toFixed(0)} ms (then cached)`,
  );
  console.log(`automatic, 1 task + plain SAM:   median ${median(one).toFixed(0)} ms`);
  console.log(
    `automatic, 80 tasks + plain SAM: median ${median(eighty).toFixed(0)} ms (${heads} heads per batch, ${found} instances)`,
  );
  console.log(`ratio 80 / 1 task: ${(median(eighty) / median(one)).toFixed(2)}`);
  await runtime.dispose();
  generator.dispose();
  await encoder.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
