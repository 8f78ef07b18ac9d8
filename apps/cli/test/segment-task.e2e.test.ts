import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

interface TaskReport {
  image: { width: number; height: number };
  mode: string;
  task: string;
  masks: {
    rle: { size: [number, number]; counts: string };
    score: number;
    taskProbability?: number;
    bbox: number[];
  }[];
  loraCache: string;
  embeddingCache: string;
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

  it('finds the task instances with no clicks and writes a coloured overlay with a legend of the image size', async () => {
    const overlay = join(work, 'out.png');
    const task = 'highlight every suitcase';
    const result = run(
      suitcases,
      '--task',
      task,
      '--overlay',
      overlay,
      '--checkpoint',
      checkpoint,
      '--grid',
      '4',
      '--json',
    );
    expect(result.stderr).not.toContain('Error');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as TaskReport;
    expect(report).toMatchObject({
      mode: 'task-automatic',
      task,
      loraCache: 'generated',
      embeddingCache: 'miss',
    });
    expect(report.masks.length).toBeGreaterThan(0);
    const scores = report.masks.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores.every((s) => s > 0.5)).toBe(true);

    const image = await loadImageRgb(suitcases);
    const { data, info } = await sharp(overlay).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([image.width, image.height]);
    // Inside the best instance (below the legend), the overlay is coloured: it differs from the photo.
    const mask = decodeMask(decompressRle(report.masks[0].rle));
    let inside = 0;
    let changed = 0;
    for (let y = 200; y < image.height; y++)
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

    // Warm: the embedding and the task LoRA come from the caches.
    const warm = run(suitcases, '--task', task, '--checkpoint', checkpoint, '--grid', '4');
    expect(warm.status).toBe(0);
    expect(warm.stdout).toContain(`"${task}": ${report.masks.length} instance`);
    expect(warm.stdout).toContain('embedding cached, task LoRA cached');
  });

  it("with the shipped checkpoint, ranks plain SAM's grid masks by its task scorer (no LoRA needed)", () => {
    // The whole 8x8 grid for both tasks, so both score the same candidate masks.
    const all = [
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
    const a = JSON.parse(forCats.stdout) as TaskReport;
    const b = JSON.parse(forPeople.stdout) as TaskReport;
    expect(a.loraCache).toBe('unused');
    expect(a.masks.length).toBeGreaterThan(1);
    const scores = a.masks.map((m) => m.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    for (const m of a.masks) expect(m.score).toBeLessThanOrEqual((m.taskProbability as number) * 1.02);
    // The same candidate masks, told apart by the task: the cats' mask is likelier a cat than a person.
    const top = a.masks[0];
    const same = b.masks.find((m) => m.rle.counts === top.rle.counts);
    expect(same).toBeDefined();
    expect(top.taskProbability as number).toBeGreaterThan(2 * (same?.taskProbability as number));
    // With the defaults (16 guided points of a 16x16 grid) the cats' mask is found again and kept.
    const shown = JSON.parse(run(cats, '--task', 'segment all cats', '--json').stdout) as TaskReport;
    expect(shown.masks.length).toBeGreaterThan(0);
    const [x, y, w, h] = shown.masks[0].bbox;
    const [tx, ty, tw, th] = top.bbox;
    const overlap =
      Math.max(0, Math.min(x + w, tx + tw) - Math.max(x, tx)) *
      Math.max(0, Math.min(y + h, ty + th) - Math.max(y, ty));
    expect(overlap / (w * h + tw * th - overlap)).toBeGreaterThan(0.9);
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
    const b = JSON.parse(plain.stdout) as TaskReport;
    expect(a.mode).toBe('task-prompt');
    expect(a.masks).toHaveLength(1);
    expect(a.masks[0].score).toBe(b.masks[0].score);
    expect(a.masks[0].rle).toEqual(b.masks[0].rle);
  });

  it('exits 2 on usage errors and 1 naming a missing checkpoint', () => {
    const empty = run(suitcases, '--task', ' ');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--task needs a non-empty text');
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
  });
});
