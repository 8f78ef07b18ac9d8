import { deltaNorm, deltaWeight, frobeniusNorm, mergeIntoWeight } from './lora-math';
import type { LoraLayer } from './lora-weights';

// rank 2, in 3, out 2: small enough to check by hand.
const layer: LoraLayer = {
  a: Float32Array.from([1, 2, 3, 4, 5, 6]), // [[1,2,3],[4,5,6]]
  b: Float32Array.from([1, 0, 0.5, -1]), // [[1,0],[0.5,-1]]
  rank: 2,
  inFeatures: 3,
  outFeatures: 2,
};
// B·A = [[1,2,3],[0.5-4, 1-5, 1.5-6]] = [[1,2,3],[-3.5,-4,-4.5]]
const ba = [1, 2, 3, -3.5, -4, -4.5];

describe('deltaWeight', () => {
  it('computes scaling · B A as [out, in]', () => {
    expect(Array.from(deltaWeight(layer, 2))).toEqual(ba.map((v) => 2 * v));
  });
});

describe('mergeIntoWeight', () => {
  it('adds the delta to an [out, in] (Gemm transB=1) weight', () => {
    const w = Float32Array.from([10, 20, 30, 40, 50, 60]);
    expect(Array.from(mergeIntoWeight('t', w, 'out-in', layer, 1))).toEqual([11, 22, 33, 36.5, 46, 55.5]);
    expect(Array.from(w)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('adds the transposed delta to an [in, out] (MatMul) weight', () => {
    // W [in=3, out=2] = [[10,40],[20,50],[30,60]]
    const w = Float32Array.from([10, 40, 20, 50, 30, 60]);
    expect(Array.from(mergeIntoWeight('t', w, 'in-out', layer, 1))).toEqual([11, 36.5, 22, 46, 33, 55.5]);
  });

  it('gives the same linear map in both layouts', () => {
    const x = [0.3, -1.2, 2];
    const wOutIn = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const wInOut = Float32Array.from([1, 4, 2, 5, 3, 6]);
    const m1 = mergeIntoWeight('t', wOutIn, 'out-in', layer, 0.25);
    const m2 = mergeIntoWeight('t', wInOut, 'in-out', layer, 0.25);
    for (let o = 0; o < 2; o++) {
      const y1 = x.reduce((s, xi, i) => s + xi * m1[o * 3 + i], 0);
      const y2 = x.reduce((s, xi, i) => s + xi * m2[i * 2 + o], 0);
      expect(y1).toBeCloseTo(y2, 6);
    }
  });

  it('rejects a weight whose size does not match the LoRA, naming the target', () => {
    expect(() => mergeIntoWeight('heads.x', new Float32Array(5), 'out-in', layer, 1)).toThrow(
      'heads.x: weight has 5 values but the LoRA is 3->2 (6)',
    );
  });
});

describe('norms', () => {
  it('computes ‖scaling·BA‖ from Gram matrices, equal to the explicit product', () => {
    const explicit = Math.sqrt(ba.reduce((s, v) => s + v * v, 0));
    expect(deltaNorm(layer, -3)).toBeCloseTo(3 * explicit, 10);
    expect(frobeniusNorm(layer.a)).toBeCloseTo(Math.sqrt(91), 10);
  });
});
