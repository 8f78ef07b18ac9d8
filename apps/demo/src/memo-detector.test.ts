import type { Detection, DetectOptions } from '@tasam/detector';
import { memoDetector } from './memo-detector';

const image = (fill = 0) => ({ width: 2, height: 2, data: new Uint8Array(12).fill(fill) });
const cat: Detection = { box: [0, 0, 1, 1], categoryId: 17, category: 'cat', score: 0.9 };

function counting(fail = false) {
  const calls: (DetectOptions | undefined)[] = [];
  return {
    calls,
    detector: {
      detect: async (_image: unknown, options?: DetectOptions) => {
        calls.push(options);
        if (fail) throw new Error('no backend');
        return [cat];
      },
    },
  };
}

describe('memoDetector', () => {
  it('runs the detector once per image content and options (categories as a set), then answers from memory', async () => {
    const { calls, detector } = counting();
    const memo = memoDetector(detector);
    const a = image();
    expect(await memo.detect(a, { categoryIds: [17, 18], scoreThreshold: 0.05 })).toEqual([cat]);
    expect(await memo.detect(a, { scoreThreshold: 0.05, categoryIds: [18, 17] })).toEqual([cat]);
    expect(calls).toHaveLength(1);
    await memo.detect(a, { categoryIds: [17], scoreThreshold: 0.05 });
    await memo.detect(a, { categoryIds: [17, 18], scoreThreshold: 0.05, tiles: true });
    // The same pixels in another object (as the model worker receives them) are the same image; others are not.
    await memo.detect(image(), { categoryIds: [17, 18], scoreThreshold: 0.05 });
    expect(calls).toHaveLength(3);
    await memo.detect(image(7), { categoryIds: [17, 18], scoreThreshold: 0.05 });
    expect(calls).toHaveLength(4);
  });

  it('keeps only the most recent answers', async () => {
    const { calls, detector } = counting();
    const memo = memoDetector(detector, 2);
    for (const fill of [1, 2, 1, 3, 2]) await memo.detect(image(fill), {});
    // 1, 2 detected; 1 remembered (now most recent); 3 detected, 2 dropped; 2 detected again.
    expect(calls).toHaveLength(4);
  });

  it('does not keep a failed detection', async () => {
    const { calls, detector } = counting(true);
    const memo = memoDetector(detector);
    const a = image();
    await expect(memo.detect(a, {})).rejects.toThrow('no backend');
    await expect(memo.detect(a, {})).rejects.toThrow('no backend');
    expect(calls).toHaveLength(2);
  });
});
