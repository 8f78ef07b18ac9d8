import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMask, decompressRle, loadImageRgb } from '@tasam/coco-data';
import sharp from 'sharp';
import { bin, examples, untrainedCheckpoint } from './e2e-fixtures';

const offline = join(__dirname, 'forbid-network.cjs');
const suitcases = join(examples, 'suitcases.jpg');
const cats = join(examples, 'cats.jpg');

// Real SAM, text encoder and hypernetwork in child processes, offline; slow on a busy 2-core machine.
jest.setTimeout(400_000);

interface Mask {
  rle: { size: [number, number]; counts: string };
  score: number;
  taskProbability?: number;
  category?: string;
  detectorScore?: number;
  bbox: number[];
}

interface TaskReport {
  image: { width: number; height: number };
  mode: string;
  tasks: {
    task: string;
    path: 'detector' | 'scorer' | 'prompt';
    grounding?: { grounded: boolean; categories: { id: number; name: string }[]; colour: string | null };
    masks: Mask[];
  }[];
  embeddingCache: string;
  detectionCache?: string;
}

/** IoU of two COCO x,y,w,h boxes. */
function bboxIou(a: number[], b: number[]): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

describe('tasam segment --task as a subprocess (offline)', () => {
  const work = mkdtempSync(join(tmpdir(), 'tasam-segment-task-e2e-'));
  const checkpoint = join(work, 'untrained.safetensors');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--require', offline, bin, 'segment', ...args], {
      encoding: 'utf8',
      env: { ...process.env, TASAM_CACHE: join(work, 'cache'), NO_COLOR: '1' },
    });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(async () => {
    // An untrained hypernetwork: B = 0, so tasam's heads are SAM's.
    await untrainedCheckpoint(checkpoint);
  });

  it('grounds the task, finds each instance from the detector, and writes a coloured overlay of the image size', async () => {
    const overlay = join(work, 'out.png');
    const task = 'segment all cats';
    const result = run(cats, '--task', task, '--overlay', overlay, '--checkpoint', checkpoint, '--json');
    expect(result.stderr).not.toContain('Error');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as TaskReport;
    expect(report).toMatchObject({ mode: 'task-automatic', embeddingCache: 'miss', detectionCache: 'miss' });
    const [found] = report.tasks;
    expect(found).toMatchObject({ task, path: 'detector', grounding: { grounded: true, colour: null } });
    expect(found.grounding?.categories.map((c) => c.name)).toEqual(['cat']);
    // Two cats, each its own instance (not one mask over both), and nothing but cats.
    expect(found.masks).toHaveLength(2);
    expect(found.masks.every((m) => m.category === 'cat')).toBe(true);
    expect(bboxIou(found.masks[0].bbox, found.masks[1].bbox)).toBeLessThan(0.5);
    const scores = found.masks.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    for (const m of found.masks) expect(m.score).toBeLessThanOrEqual(m.detectorScore as number);

    const image = await loadImageRgb(cats);
    const { data, info } = await sharp(overlay).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([image.width, image.height]);
    // Inside the best instance (below the legend), the overlay is coloured: it differs from the photo.
    const mask = decodeMask(decompressRle(found.masks[0].rle));
    let inside = 0;
    let changed = 0;
    for (let y = 150; y < image.height; y++)
      for (let x = 0; x < image.width; x++) {
        const i = y * image.width + x;
        if (!mask[i]) continue;
        inside += 1;
        const o = i * info.channels;
        if (Math.abs(data[o] - image.data[i * 3]) + Math.abs(data[o + 2] - image.data[i * 3 + 2]) > 12)
          changed += 1;
      }
    expect(inside).toBeGreaterThan(0);
    expect(changed / inside).toBeGreaterThan(0.9);

    // Warm: the embedding and the detector's boxes come from the caches, the very same instances again.
    const warm = run(cats, '--task', task, '--checkpoint', checkpoint);
    expect(warm.status).toBe(0);
    expect(warm.stdout).toContain(`"${task}" → cat: 2 instances`);
    expect(warm.stdout).toContain('embedding and detector boxes cached');
    const again = run(cats, '--task', 'the cats', '--checkpoint', checkpoint, '--json');
    expect(again.status).toBe(0);
    const warmReport = JSON.parse(again.stdout) as TaskReport;
    expect(warmReport).toMatchObject({ embeddingCache: 'hit', detectionCache: 'hit' });
    expect(warmReport.tasks[0].masks).toEqual(found.masks);
    // --no-cache reads neither cache and runs the detector: the same instances.
    const uncached = run(cats, '--task', task, '--checkpoint', checkpoint, '--json', '--no-cache');
    const uncachedReport = JSON.parse(uncached.stdout) as TaskReport;
    expect(uncachedReport).toMatchObject({ embeddingCache: 'off', detectionCache: 'off' });
    expect(uncachedReport.tasks[0].masks.map((m) => m.bbox)).toEqual(found.masks.map((m) => m.bbox));
  });

  it('runs several tasks on one embedding: a grounded one on the detector, one naming no COCO category on the scorer, a panel each', async () => {
    const overlay = join(work, 'grid.png');
    const result = run(
      suitcases,
      '--task',
      'highlight every suitcase',
      '--task',
      'segment the sky',
      '--overlay',
      overlay,
      '--checkpoint',
      checkpoint,
      '--grid',
      '4',
      '--json',
    );
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as TaskReport;
    expect(report.tasks.map((t) => [t.task, t.path, t.grounding?.grounded])).toEqual([
      ['highlight every suitcase', 'detector', true],
      ['segment the sky', 'scorer', false],
    ]);
    expect(report.tasks[0].masks.length).toBeGreaterThanOrEqual(2);
    expect(report.tasks[0].masks.every((m) => m.category === 'suitcase')).toBe(true);
    const image = await loadImageRgb(suitcases);
    const meta = await sharp(overlay).metadata();
    expect([meta.width, meta.height]).toEqual([2 * image.width + 8, image.height]);
  });

  it("with --no-detector and the shipped checkpoint, ranks plain SAM's grid masks by its task scorer", () => {
    // The whole 8x8 grid for both tasks, so both score the same candidate masks.
    const all = [
      '--no-detector',
      '--grid',
      '8',
      '--prompts',
      '0',
      '--relative-threshold',
      '0',
      '--score-threshold',
      '0',
      '--json',
    ];
    const forCats = run(cats, '--task', 'segment all cats', ...all);
    const forPeople = run(cats, '--task', 'segment all people', ...all);
    expect(forCats.status).toBe(0);
    expect(forPeople.status).toBe(0);
    const a = (JSON.parse(forCats.stdout) as TaskReport).tasks[0];
    const b = (JSON.parse(forPeople.stdout) as TaskReport).tasks[0];
    expect(a.path).toBe('scorer');
    expect(a.grounding).toBeUndefined();
    expect(a.masks.length).toBeGreaterThan(1);
    const scores = a.masks.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    for (const m of a.masks) expect(m.score).toBeLessThanOrEqual((m.taskProbability as number) * 1.02);
    // The same candidate masks, scored by the task: the mask of the other task nearest to the cats' best one (by
    // box IoU) gets another P(task). Which task wins on one image is the checkpoint's judgment, measured by
    // `tasam eval --protocol text`, not asserted here.
    const top = a.masks[0];
    const nearest = [...b.masks].sort((x, y) => bboxIou(y.bbox, top.bbox) - bboxIou(x.bbox, top.bbox))[0];
    expect(bboxIou(nearest.bbox, top.bbox)).toBeGreaterThan(0.9);
    expect(Math.abs((nearest.taskProbability as number) - (top.taskProbability as number))).toBeGreaterThan(
      0.01,
    );
  });

  it('with --point refines the clicked object: with B = 0 exactly plain SAM', () => {
    const task = run(
      suitcases,
      '--task',
      'highlight every suitcase',
      '--point',
      '220,300',
      '--checkpoint',
      checkpoint,
      '--json',
    );
    const plain = run(suitcases, '--point', '220,300', '--json');
    expect(task.status).toBe(0);
    expect(plain.status).toBe(0);
    const a = JSON.parse(task.stdout) as TaskReport;
    const b = JSON.parse(plain.stdout) as { masks: Mask[] };
    expect(a.mode).toBe('task-prompt');
    expect(a.tasks[0].path).toBe('prompt');
    expect(a.tasks[0].masks).toHaveLength(1);
    expect(a.tasks[0].masks[0].score).toBe(b.masks[0].score);
    expect(a.tasks[0].masks[0].rle).toEqual(b.masks[0].rle);
  });

  it('exits 2 on usage errors and 1 naming a missing checkpoint or an unreadable image, writing nothing', () => {
    const empty = run(suitcases, '--task', ' ');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--task needs a non-empty text');
    const twoWithPoint = run(suitcases, '--task', 'a cat', '--task', 'a dog', '--point', '10,10');
    expect(twoWithPoint.status).toBe(2);
    expect(twoWithPoint.stderr).toContain('--point/--box take one --task');
    const both = run(suitcases, '--task', 'segment all cats', '--everything');
    expect(both.status).toBe(2);
    const missing = run(
      suitcases,
      '--task',
      'segment all cats',
      '--checkpoint',
      join(work, 'none.safetensors'),
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`${join(work, 'none.safetensors')}: no such checkpoint file`);
    const overlay = join(work, 'never.png');
    const unreadable = run(join(work, 'no-such.jpg'), '--task', 'segment all cats', '--overlay', overlay);
    expect(unreadable.status).toBe(1);
    expect(unreadable.stderr).toContain('no-such.jpg');
    expect(existsSync(overlay)).toBe(false);
    const adaptation = run(
      suitcases,
      '--task',
      'the red suitcases',
      '--colour-adaptation',
      '2',
      '--overlay',
      overlay,
    );
    expect(adaptation.status).toBe(1);
    expect(adaptation.stderr).toContain('colourAdaptation: must be a number from 0 to 1, got 2');
    expect(existsSync(overlay)).toBe(false);
  });
});
