import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bin, exampleCoco, untrainedCheckpoint } from './e2e-fixtures';

// Real SAM, text encoder and an untrained hypernetwork, in child processes; slow on a busy 2-core machine.
jest.setTimeout(600_000);

let work: string;
let coco: string;
let checkpoint: string;
let env: NodeJS.ProcessEnv;

const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'eval', ...args], { encoding: 'utf8', env, maxBuffer: 64 << 20 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tasam-eval-e2e-'));
  coco = exampleCoco(work);
  // An untrained hypernetwork: every B is zero, so tasam must equal plain SAM.
  checkpoint = join(work, 'untrained.safetensors');
  await untrainedCheckpoint(checkpoint);
  env = { ...process.env, TASAM_CACHE: join(work, 'cache'), NO_COLOR: '1' };
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('tasam eval as a subprocess', () => {
  it('runs every protocol, writes the report, pictures and PR curves; shards merge to the same numbers', () => {
    const out = join(work, 'all');
    const common = ['--coco', coco, '--limit', '2', '--grid', '2', '--checkpoint', checkpoint];
    const all = run(...common, '--protocol', 'all', '--out', out, '--json');
    expect(all.stderr).not.toContain('Error');
    expect(all.status).toBe(0);
    const report = JSON.parse(all.stdout);
    expect(report.images).toBe(2);
    // B = 0: tasam is plain SAM on every protocol, and the numbers are real (instances were measured).
    expect(report.click.plain.count.overall).toBeGreaterThan(0);
    expect(report.click.tasam).toEqual(report.click.plain);
    expect(report.category.tasam).toEqual(report.category.plain);
    expect(report.text.referring.tasam.stats).toEqual(report.text.referring.plain.stats);
    expect(report.box.plain.count.overall).toBeGreaterThan(0);
    expect(report.box.tasam).toEqual(report.box.plain);
    // Grounded: the detector's boxes through plain SAM's heads and the (zero) task LoRA give the same masks.
    expect(report.grounded.referring.plain.results).toBeGreaterThan(0);
    expect(report.grounded.referring.tasam.stats).toEqual(report.grounded.referring.plain.stats);
    expect(report.grounded.detection.tasam.stats).toEqual(report.grounded.detection.plain.stats);
    expect(report.text.detection.plain.perCategoryAp).toHaveLength(80);
    expect(Object.keys(report.imageTimings)).toHaveLength(2);
    for (const file of ['eval.json', 'eval.md', 'pr-referring.png', 'pr-detection.svg'])
      expect(existsSync(join(out, file))).toBe(true);
    expect(readFileSync(join(out, 'eval.md'), 'utf8')).toContain('| click | mIoU all');
    const picture = readFileSync(join(out, 'pictures', '286994.png'));
    expect(picture.subarray(1, 4).toString('latin1')).toBe('PNG');

    const shards = join(work, 'shards');
    for (const shard of ['0/2', '1/2']) {
      const part = run(...common, '--protocol', 'click,box', '--shard', shard, '--out', shards, '--json');
      expect(part.status).toBe(0);
      expect(JSON.parse(part.stdout).images).toBe(1);
    }
    const merged = run('--merge', '--out', shards, '--json');
    expect(merged.status).toBe(0);
    const pooled = JSON.parse(merged.stdout);
    expect(pooled.click.plain.count).toEqual(report.click.plain.count);
    expect(pooled.click.plain.overall).toBeCloseTo(report.click.plain.overall, 12);
    expect(pooled.box.plain.count).toEqual(report.box.plain.count);
    expect(pooled.category).toBeUndefined();
  });

  it('exits 2 on usage errors and 1 naming the input on bad data', () => {
    const bad = run('--protocol', 'nope', '--coco', coco);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("argument 'nope' is invalid");
    const noCoco = run('--coco', join(work, 'missing'));
    expect(noCoco.status).toBe(1);
    expect(noCoco.stderr).toContain(join(work, 'missing', 'annotations', 'instances_val2017.json'));
    const unknown = run('--coco', coco, '--categories', 'unicorn', '--checkpoint', checkpoint);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no category "unicorn"');
    const missing = run('--merge', '--out', join(work, 'nothing'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read the shard directory');
  });
});
