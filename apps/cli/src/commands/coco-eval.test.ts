import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';

// The pycocotools 2.0.11 reference case committed with @tasam/coco-eval (20 COCO val2017 images).
const ref = join(__dirname, '..', '..', '..', '..', 'packages', 'coco-eval', 'test', 'fixtures');
const gtFile = join(ref, 'gt.json');
const segmFile = join(ref, 'dt_segm.json');
const bboxFile = join(ref, 'dt_bbox.json');
const refStats = JSON.parse(readFileSync(join(ref, 'stats.json'), 'utf8')) as Record<string, number[]>;
const refPrinted = (name: string) => readFileSync(join(ref, `stats_${name}.txt`), 'utf8');

async function run(...args: string[]) {
  const io = captureIO();
  const code = await runCli(['coco-eval', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tasam coco-eval', () => {
  it('prints the pycocotools summary of segm results', async () => {
    const { code, out } = await run('--gt', gtFile, '--results', segmFile, '--iou-type', 'segm');
    expect(code).toBe(ExitCode.ok);
    expect(out).toBe(refPrinted('segm'));
  });

  it('prints the pycocotools summary of bbox results, with worker threads too', async () => {
    const inline = await run('--gt', gtFile, '--results', bboxFile, '--iou-type', 'bbox', '--workers', '0');
    expect(inline.out).toBe(refPrinted('bbox'));
    const threaded = await run('--gt', gtFile, '--results', bboxFile, '--iou-type', 'bbox', '--workers', '2');
    expect(threaded.code).toBe(ExitCode.ok);
    expect(threaded.out).toBe(inline.out);
  });

  it('--json writes one object with the 12 stats and per-category AP', async () => {
    const { code, out } = await run('--gt', gtFile, '--results', segmFile, '--iou-type', 'segm', '--json');
    expect(code).toBe(ExitCode.ok);
    const report = JSON.parse(out);
    expect(Object.keys(report)).toEqual(['iouType', 'stats', 'perCategory']);
    expect(report.iouType).toBe('segm');
    expect(report.stats).toEqual(refStats.segm);
    const evalRef = JSON.parse(gunzipSync(readFileSync(join(ref, 'eval_ref.json.gz'))).toString('utf8'));
    expect(report.perCategory).toEqual(evalRef.segm.per_category_AP_all_100);
  });

  it('--miou adds instance mIoU by area and category-mask mIoU', async () => {
    const text = await run('--gt', gtFile, '--results', segmFile, '--iou-type', 'segm', '--miou');
    const lines = text.out.trimEnd().split('\n');
    expect(lines.slice(0, 12).join('\n')).toBe(refPrinted('segm').trimEnd());
    expect(lines[12]).toMatch(/^ Instance mIoU +@\[ area= {3}all \] = 0\.\d{3} \(\d+ GT instances\)$/);
    expect(lines).toHaveLength(17);
    expect(lines[16]).toMatch(/^ Category-mask mIoU @\[ score>=0\.5 \] = 0\.\d{3} \(\d+ categories\)$/);
    const json = JSON.parse(
      (await run('--gt', gtFile, '--results', segmFile, '--iou-type', 'segm', '--miou', '--json')).out,
    );
    expect(Object.keys(json.miou.instance)).toEqual(['all', 'small', 'medium', 'large']);
    expect(json.miou.instance.all.instances).toBe(
      json.miou.instance.small.instances +
        json.miou.instance.medium.instances +
        json.miou.instance.large.instances,
    );
    expect(json.miou.categoryMask.scoreThreshold).toBe(0.5);
  });

  describe('bad input', () => {
    let dir: string;
    const file = (name: string, content: string) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tasam-coco-eval-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const gtJson = JSON.parse(readFileSync(gtFile, 'utf8'));
    const segm = JSON.parse(readFileSync(segmFile, 'utf8'));

    it.each([
      [
        'results that are not JSON',
        () => file('a.json', '[{"image_id": 1,'),
        (p: string) => `tasam: ${p}: not valid JSON`,
      ],
      [
        'results that are not an array',
        () => file('b.json', '{"annotations": []}'),
        (p: string) => `tasam: ${p}: expected a JSON array of result objects, got object{annotations}`,
      ],
      [
        'results for unknown images',
        () => file('c.json', JSON.stringify([{ ...segm[0], image_id: 424242 }])),
        (p: string) =>
          `tasam: ${p}: results for images absent from the ground truth: 424242 (first at result 0)`,
      ],
      [
        'an RLE whose size is not its image size',
        () =>
          file(
            'd.json',
            JSON.stringify([
              segm[0],
              { ...segm[1], segmentation: { ...segm[1].segmentation, size: [10, 10] } },
            ]),
          ),
        (p: string) => `tasam: ${p}: result 1 (image ${segm[1].image_id}) has an RLE of size [10, 10]`,
      ],
      [
        'a mask whose counts do not decode',
        () =>
          file(
            'e.json',
            JSON.stringify([{ ...segm[0], segmentation: { ...segm[0].segmentation, counts: '~~' } }]),
          ),
        (p: string) => `tasam: ${p}: result 0: RLE`,
      ],
    ])('exits 1 naming the file for %s', async (_what, make, message) => {
      const path = make();
      const { code, out, err } = await run('--gt', gtFile, '--results', path, '--iou-type', 'segm');
      expect(code).toBe(ExitCode.failure);
      expect(out).toBe('');
      expect(err).toContain(message(path));
    });

    it('exits 1 naming a missing or malformed ground truth', async () => {
      const missing = join(dir, 'nope.json');
      const a = await run('--gt', missing, '--results', segmFile, '--iou-type', 'segm');
      expect(a.code).toBe(ExitCode.failure);
      expect(a.err).toContain(`tasam: ${missing}`);
      const bad = file('gt-bad.json', JSON.stringify({ ...gtJson, images: [{ id: 1 }] }));
      const b = await run('--gt', bad, '--results', segmFile, '--iou-type', 'segm');
      expect(b.code).toBe(ExitCode.failure);
      expect(b.err).toContain(bad);
    });

    it('exits 2 on a missing or unknown --iou-type', async () => {
      const missing = await run('--gt', gtFile, '--results', segmFile);
      expect(missing.code).toBe(ExitCode.usage);
      expect(missing.err).toContain("required option '--iou-type <type>' not specified");
      const unknown = await run('--gt', gtFile, '--results', segmFile, '--iou-type', 'keypoints');
      expect(unknown.code).toBe(ExitCode.usage);
      expect(unknown.err).toContain('Allowed choices are segm, bbox');
    });
  });
});
