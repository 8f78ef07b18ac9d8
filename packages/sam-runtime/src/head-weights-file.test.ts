import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHeadWeights, writeHeadWeights } from './head-weights-file';
import type { HeadWeights } from './heads';

describe('head weights file', () => {
  const weights: HeadWeights = {
    layers: new Map([
      [
        'a.layers.0',
        {
          weight: Float32Array.from([1, 2, 3, 4, 5, 6]),
          bias: Float32Array.from([7, 8]),
          inFeatures: 3,
          outFeatures: 2,
        },
      ],
      [
        'iou_prediction_head.layers.2',
        { weight: Float32Array.from([0.5, -1]), bias: Float32Array.from([9]), inFeatures: 2, outFeatures: 1 },
      ],
    ]),
  };
  const path = join(mkdtempSync(join(tmpdir(), 'heads-')), 'heads.bin');

  it('round-trips names, shapes and values exactly', () => {
    writeHeadWeights(path, weights);
    expect(readHeadWeights(path)).toEqual(weights);
  });

  it('ignores missing, truncated, corrupted and foreign files', () => {
    expect(readHeadWeights(`${path}.missing`)).toBeUndefined();
    const good = readFileSync(path);
    writeFileSync(path, good.subarray(0, good.length - 5));
    expect(readHeadWeights(path)).toBeUndefined();
    const flipped = Buffer.from(good);
    flipped[40] ^= 1;
    writeFileSync(path, flipped);
    expect(readHeadWeights(path)).toBeUndefined();
    writeFileSync(path, Buffer.alloc(good.length));
    expect(readHeadWeights(path)).toBeUndefined();
  });
});
