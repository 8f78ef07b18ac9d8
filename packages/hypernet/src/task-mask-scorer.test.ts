import { encodeMask } from '@tasam/coco-data';
import { randomScorer } from '../test/helpers';
import { HypernetConfigError } from './errors';
import {
  DEFAULT_SCORER_CONFIG,
  EMBEDDING_GRID,
  embeddingGridCoverage,
  pooledMaskFeatures,
  scorerParameterShapes,
  TaskMaskScorer,
} from './task-mask-scorer';

const CELLS = EMBEDDING_GRID * EMBEDDING_GRID;

function rectMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number) {
  const mask = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask[y * w + x] = 1;
  return encodeMask(mask, h, w);
}

describe('embeddingGridCoverage', () => {
  it('covers the letterboxed image area and leaves the padding empty', () => {
    // 200 x 100 → scaled by 5.12 to 1024 x 512: rows 0-31 of the 64 x 64 grid are image, 32-63 padding.
    const coverage = embeddingGridCoverage(rectMask(200, 100, 0, 0, 200, 100));
    let covered = 0;
    for (let k = 0; k < CELLS; k++) covered += coverage[k];
    expect(covered).toBeCloseTo(64 * 32, 5);
    expect(coverage[31 * EMBEDDING_GRID + 63]).toBe(1);
    expect(coverage[32 * EMBEDDING_GRID]).toBe(0);
  });

  it('gives fractions at a mask edge that cuts cells', () => {
    // Left 10 px of a 1024-wide image: samples at x = 2, 6, 10, 14 in the first column of cells; 2 and 6 are in.
    const coverage = embeddingGridCoverage(rectMask(1024, 1024, 0, 0, 10, 1024));
    expect(coverage[0]).toBeCloseTo(0.5, 5);
    expect(coverage[1]).toBe(0);
  });
});

describe('pooledMaskFeatures', () => {
  const embedding = { data: new Float32Array(256 * CELLS), dims: [1, 256, 64, 64] };
  for (let c = 0; c < 256; c++) for (let k = 0; k < CELLS; k++) embedding.data[c * CELLS + k] = c + k / CELLS;

  it('pools the coverage-weighted mean and the max over mostly-covered cells, per channel', () => {
    const coverage = new Float32Array(CELLS);
    coverage[10] = 1;
    coverage[20] = 0.25;
    const features = pooledMaskFeatures(embedding, coverage) as Float32Array;
    expect(features).toHaveLength(512);
    const v = (c: number, k: number) => c + k / CELLS;
    expect(features[3]).toBeCloseTo((v(3, 10) * 1 + v(3, 20) * 0.25) / 1.25, 5);
    expect(features[256 + 3]).toBeCloseTo(v(3, 10), 5); // cell 20 is not mostly covered
  });

  it('uses the mean as the max when no cell is mostly covered, and is undefined for an empty mask', () => {
    const coverage = new Float32Array(CELLS);
    coverage[5] = 0.25;
    const features = pooledMaskFeatures(embedding, coverage) as Float32Array;
    expect(features[256 + 7]).toBe(features[7]);
    expect(pooledMaskFeatures(embedding, new Float32Array(CELLS))).toBeUndefined();
  });

  it('rejects an embedding of another shape', () => {
    expect(() =>
      pooledMaskFeatures({ data: new Float32Array(10), dims: [10] }, new Float32Array(CELLS)),
    ).toThrow(HypernetConfigError);
  });
});

describe('TaskMaskScorer', () => {
  it('computes sigmoid(exp(log_scale) * cos(mask, task) + bias)', () => {
    const scorer = randomScorer(5);
    const text = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
    const features = Float32Array.from({ length: 512 }, (_, i) => Math.cos(i * 0.3));
    const t = scorer.taskVector(text);
    const m = scorer.maskVector(features);
    const norm = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
    expect(norm(t)).toBeCloseTo(1, 5);
    expect(norm(m)).toBeCloseTo(1, 5);
    const arrays = scorer.toArrays();
    const cos = m.reduce((s, v, i) => s + v * t[i], 0);
    const logit =
      Math.exp((arrays.get('log_scale') as Float32Array)[0]) * cos + (arrays.get('bias') as Float32Array)[0];
    expect(scorer.probability(m, t)).toBeCloseTo(1 / (1 + Math.exp(-logit)), 6);
  });

  it('names a missing or misshapen tensor and a wrong input length', () => {
    const arrays = randomScorer().toArrays();
    arrays.delete('bias');
    expect(() => TaskMaskScorer.fromArrays(DEFAULT_SCORER_CONFIG, arrays)).toThrow(/bias is missing/);
    const short = randomScorer().toArrays();
    short.set('mask.0.bias', new Float32Array(3));
    expect(() => TaskMaskScorer.fromArrays(DEFAULT_SCORER_CONFIG, short)).toThrow(
      /mask\.0\.bias has 3 values/,
    );
    expect(() => randomScorer().taskVector(new Float32Array(5))).toThrow(/task embedding: has 5 values/);
    expect([...scorerParameterShapes(DEFAULT_SCORER_CONFIG).keys()]).toHaveLength(10);
  });
});
