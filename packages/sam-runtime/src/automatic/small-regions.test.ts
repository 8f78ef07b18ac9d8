import { connectedComponents, removeSmallRegions } from './small-regions';

const parse = (rows: string[]) => ({
  mask: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)),
  width: rows[0].length,
  height: rows.length,
});
const show = (mask: Uint8Array, width: number) =>
  Array.from({ length: mask.length / width }, (_, y) =>
    Array.from(mask.subarray(y * width, (y + 1) * width), (v) => (v ? '#' : '.')).join(''),
  );

describe('connectedComponents', () => {
  it('labels 8-connected components in raster order', () => {
    const { mask, width, height } = parse(['#..#', '.#..', '...#', '##..']);
    const { labels, sizes } = connectedComponents(mask, width, height);
    // the diagonal pair joins; (3,0) alone; (3,2) alone; bottom pair
    expect(sizes).toEqual([0, 2, 1, 1, 2]);
    expect(Array.from(labels)).toEqual([1, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 3, 4, 4, 0, 0]);
  });
});

describe('removeSmallRegions', () => {
  const rows = ['######..', '#.####..', '######..', '........', '......##'];

  it("fills holes smaller than the area in 'holes' mode", () => {
    const { mask, width, height } = parse(rows);
    const result = removeSmallRegions(mask, width, height, 2, 'holes');
    expect(result.changed).toBe(true);
    expect(show(result.mask, width)).toEqual(['######..', '######..', '######..', '........', '......##']);
    expect(removeSmallRegions(mask, width, height, 1, 'holes').changed).toBe(false);
  });

  it("drops islands smaller than the area in 'islands' mode", () => {
    const { mask, width, height } = parse(rows);
    const result = removeSmallRegions(mask, width, height, 3, 'islands');
    expect(result.changed).toBe(true);
    expect(show(result.mask, width)).toEqual(['######..', '#.####..', '######..', '........', '........']);
    expect(removeSmallRegions(mask, width, height, 2, 'islands').changed).toBe(false);
  });

  it('keeps the largest island when every island is small', () => {
    const { mask, width, height } = parse(['#..##', '.....', '..###']);
    const result = removeSmallRegions(mask, width, height, 10, 'islands');
    expect(show(result.mask, width)).toEqual(['.....', '.....', '..###']);
  });
});
