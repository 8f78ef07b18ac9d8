import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '@tasam/detector';
import { bin, exampleCoco, examples } from './e2e-fixtures';

const offline = join(__dirname, 'forbid-network.cjs');

// Real detector and text encoder in child processes, offline; slow on a busy 2-core machine.
jest.setTimeout(300_000);

describe('tasam detect and tasam ground as subprocesses (offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'tasam-detect-e2e-'));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--require', offline, bin, ...args], {
      encoding: 'utf8',
      env: { ...process.env, TASAM_CACHE: join(work, 'cache'), NO_COLOR: '1' },
    });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('detects the elephants, as JSON and as an overlay', () => {
    const overlay = join(work, 'boxes.png');
    const result = run('detect', join(examples, 'elephants.jpg'), '--json', '--overlay', overlay);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { detections: { category: string; score: number }[] };
    expect(report.detections.length).toBeGreaterThanOrEqual(2);
    expect(report.detections.every((d) => d.category === 'elephant' && d.score >= 0.3)).toBe(true);
    expect(existsSync(overlay)).toBe(true);
  });

  it('takes a YOLOv8 from TASAM_DETECTOR_MODELS, and says the weights are not shipped when none is supplied', () => {
    const result = spawnSync(
      process.execPath,
      ['--require', offline, bin, 'detect', join(examples, 'elephants.jpg'), '--json'],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          TASAM_CACHE: join(work, 'cache'),
          NO_COLOR: '1',
          TASAM_DETECTOR_MODELS: 'yolov8s',
        },
      },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/yolov8s\.onnx: cannot read: no such file: YOLOv8 weights are not shipped/);
    const bad = run('detect', join(examples, 'elephants.jpg'), '--detector-models', 'yolov9');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no detector model "yolov9"/);
  });

  it('with --tiles also finds the small, distant elephants', () => {
    const count = (...extra: string[]) => {
      const result = run(
        'detect',
        join(examples, 'elephants.jpg'),
        '--json',
        '--score-threshold',
        '0.15',
        ...extra,
      );
      expect(result.status).toBe(0);
      return (JSON.parse(result.stdout) as { detections: unknown[] }).detections.length;
    };
    expect(count('--tiles')).toBeGreaterThan(count());
  });

  it('writes COCO bbox results for a split that coco-eval scores', () => {
    const coco = exampleCoco(work);
    const out = join(work, 'dt.json');
    const result = run(
      'detect',
      '--coco',
      coco,
      '--split',
      'val2017',
      '--score-threshold',
      '0.05',
      '--out',
      out,
    );
    expect(result.status).toBe(0);
    const results = JSON.parse(readFileSync(out, 'utf8')) as { image_id: number; bbox: number[] }[];
    expect(results.length).toBeGreaterThan(5);
    const scored = run(
      'coco-eval',
      '--gt',
      join(coco, 'annotations', 'instances_val2017.json'),
      '--results',
      out,
      '--iou-type',
      'bbox',
      '--json',
    );
    expect(scored.status).toBe(0);
    const ap = (JSON.parse(scored.stdout) as { stats: number[] }).stats[0];
    expect(ap).toBeGreaterThan(0.1);
  });

  it('refuses a detector model that fails its checksum, naming the file, and writes nothing', () => {
    const dir = join(work, 'bad-model');
    mkdirSync(dir);
    copyFileSync(join(defaultModelDir(), 'centernet.json'), join(dir, 'centernet.json'));
    const bytes = readFileSync(join(defaultModelDir(), 'centernet.bin'));
    bytes[1000] ^= 0xff;
    writeFileSync(join(dir, 'centernet.bin'), bytes);
    const overlay = join(work, 'never.png');
    for (const args of [
      ['detect', join(examples, 'cats.jpg'), '--model-dir', dir, '--overlay', overlay],
      [
        'segment',
        join(examples, 'cats.jpg'),
        '--task',
        'segment all cats',
        '--detector-model-dir',
        dir,
        '--overlay',
        overlay,
      ],
    ]) {
      const result = run(...args);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(join(dir, 'centernet.bin'));
      expect(result.stderr).toMatch(/checksum|SHA-256/i);
      expect(existsSync(overlay)).toBe(false);
    }
  });

  it('grounds task texts to COCO categories and colour, or says none, in the documented JSON shape', () => {
    const result = run('ground', 'segment all red apples', 'find the pooch', 'segment the sky', '--json');
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      task: 'segment all red apples',
      grounded: true,
      categories: [{ id: 53, name: 'apple', score: expect.any(Number) }],
      colour: 'red',
    });
    expect(lines[1]).toMatchObject({ grounded: true, categories: [{ id: 18, name: 'dog' }], colour: null });
    expect(lines[2]).toEqual({ task: 'segment the sky', grounded: false, categories: [], colour: null });
    const empty = run('ground', '  ');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('empty');
  });
});
