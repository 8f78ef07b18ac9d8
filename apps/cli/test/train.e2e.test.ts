import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadTaskScorer } from '@tasam/hypernet';
import { bin, exampleCoco } from './e2e-fixtures';

// Real SAM (trunk + encoder), text encoder and the full-size hypernetwork in child processes.
jest.setTimeout(600_000);

let work: string;
let coco: string;
let env: NodeJS.ProcessEnv;

const tasam = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, maxBuffer: 16 << 20 });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'tasam-train-e2e-'));
  // The same one-image split under two names: train on one, validate on the other (plumbing, not generalisation).
  coco = exampleCoco(work, ['train2017', 'val2017'], ['elephants.jpg']);
  env = { ...process.env, TASAM_CACHE: join(work, 'cache'), NO_COLOR: '1' };
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tasam train and lora generate as subprocesses', () => {
  const out = () => join(work, 'run');

  it('trains on a one-image COCO directory: model, log, loss curve, validation and a JSON summary on stdout only', async () => {
    const result = tasam(
      'train',
      '--coco',
      coco,
      '--split',
      'train2017',
      '--val-images',
      '1',
      '--out',
      out(),
      '--epochs',
      '1',
      '--max-images',
      '1',
      '--samples-per-image',
      '4',
      '--batch-size',
      '4',
      '--json',
    );
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.steps).toBeGreaterThanOrEqual(1);
    expect(summary.samples).toBeGreaterThanOrEqual(4);
    expect(summary.validation.split).toBe('val2017');
    for (const miou of [summary.validation.oneClickMiou, summary.validation.categoryMiou]) {
      expect(miou.plain).toBeGreaterThan(0.3);
      expect(miou.tasam).toBeGreaterThanOrEqual(0);
      expect(miou.tasam).toBeLessThanOrEqual(1);
    }
    for (const file of [
      'hypernet.safetensors',
      'train.jsonl',
      'loss-curve.svg',
      'summary.json',
      'validation.json',
    ])
      expect(existsSync(join(out(), file))).toBe(true);
    expect(existsSync(join(out(), 'checkpoints', 'latest.json'))).toBe(true);
    const log = readFileSync(join(out(), 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.every((r) => Number.isFinite(r.loss) && r.samples > 0)).toBe(true);
    expect(readFileSync(join(out(), 'loss-curve.svg'), 'utf8')).toContain('<svg');
    // The task scorer is fitted at the end and travels in the same model file.
    const scorer = await loadTaskScorer(join(out(), 'hypernet.safetensors'));
    expect(scorer?.config.references).toBeGreaterThan(0);
    const onTrain = JSON.parse(readFileSync(join(out(), 'summary.json'), 'utf8')).scorerOnTrainingSplit;
    expect(onTrain.masks).toBeGreaterThan(0);
  });

  it('writes a PEFT-style adapter for a task from the trained checkpoint', () => {
    const adapter = join(work, 'elephants.safetensors');
    const checkpoint = join(out(), 'hypernet.safetensors');
    const made = tasam(
      'lora',
      'generate',
      '--task',
      'segment all elephants',
      '--checkpoint',
      checkpoint,
      '--out',
      adapter,
      '--json',
    );
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ task: 'segment all elephants', layers: 15 });
    const inspected = tasam('lora', 'inspect', adapter, '--json');
    expect(inspected.status).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({ rank: 4, alpha: 32, task: 'segment all elephants' });
  });

  it('exits 2 with a usage line when --out is missing, and 1 naming a COCO directory without the split or a missing detections file', () => {
    const usage = tasam('train', '--coco', coco);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--out/);
    const missing = tasam('train', '--coco', coco, '--split', 'test2017', '--out', join(work, 'x'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('instances_test2017.json');
    const boxes = join(work, 'no-detections.json');
    const noBoxes = tasam('train', '--coco', coco, '--out', join(work, 'y'), '--detector-boxes', boxes);
    expect(noBoxes.status).toBe(1);
    expect(noBoxes.stderr).toContain(`${boxes}: cannot read the detections file`);
    expect(existsSync(join(work, 'y'))).toBe(false);
  });
});
