import { pointGrid } from './point-grid';

describe('pointGrid', () => {
  it('places n x n foreground points at cell centres, row by row', () => {
    const points = pointGrid(2, { width: 100, height: 40 });
    expect(points).toEqual([
      { x: 25, y: 10, label: 1 },
      { x: 75, y: 10, label: 1 },
      { x: 25, y: 30, label: 1 },
      { x: 75, y: 30, label: 1 },
    ]);
    const grid = pointGrid(32, { width: 640, height: 480 });
    expect(grid).toHaveLength(1024);
    expect(grid[0].x).toBeCloseTo(10, 10);
    expect(grid[1023].y).toBeCloseTo(480 - 7.5, 10);
    expect(pointGrid(1, { width: 10, height: 10 })).toEqual([{ x: 5, y: 5, label: 1 }]);
  });
});
