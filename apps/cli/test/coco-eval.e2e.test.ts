import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const bin = join(__dirname, '..', 'dist', 'bin.js');
// The pycocotools 2.0.11 reference case committed with @tasam/coco-eval.
const ref = join(__dirname, '..', '..', '..', 'packages', 'coco-eval', 'test', 'fixtures');

describe('built tasam binary: coco-eval', () => {
  it('evaluates boxes and masks of one results file as a subprocess', () => {
    const stats = JSON.parse(readFileSync(join(ref, 'stats.json'), 'utf8'));
    for (const iouType of ['segm', 'bbox']) {
      const result = spawnSync(
        process.execPath,
        [
          bin,
          'coco-eval',
          '--gt',
          join(ref, 'gt.json'),
          '--results',
          join(ref, 'dt_both.json'),
          '--iou-type',
          iouType,
          '--json',
        ],
        { encoding: 'utf8' },
      );
      expect(result.status).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.stats).toEqual(stats[`both_${iouType}`]);
    }
  });

  it('exits 1 with one line naming a results file that is not JSON', () => {
    const gt = join(ref, 'gt.json');
    const result = spawnSync(
      process.execPath,
      [bin, 'coco-eval', '--gt', gt, '--results', gt, '--iou-type', 'bbox'],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `tasam: ${gt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: expected a JSON array of result objects, got object\\{info,licenses,images,annotations,categories\\}\\n$`,
      ),
    );
  });
});
