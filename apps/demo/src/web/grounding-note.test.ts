import { describeGrounding } from './grounding-note';

describe('describeGrounding', () => {
  it('names the categories and colour of a grounded task', () => {
    expect(
      describeGrounding({
        task: 'segment the white cats and dogs',
        path: 'detector',
        grounding: {
          grounded: true,
          categories: [
            { id: 17, name: 'cat', score: 0.9 },
            { id: 18, name: 'dog', score: 0.8 },
          ],
          colour: 'white',
        },
      }),
    ).toBe('Grounded to COCO: cat, dog · colour: white · detector boxes → task-adapted heads');
  });

  it('says when a task names no COCO category, or the server does not ground tasks', () => {
    const sky = { task: 'segment the sky', path: 'scorer' as const };
    expect(describeGrounding({ ...sky, grounding: { grounded: false, categories: [], colour: null } })).toBe(
      'no COCO category: task scorer',
    );
    expect(
      describeGrounding({ ...sky, grounding: { grounded: false, categories: [], colour: 'blue' } }),
    ).toBe('no COCO category: task scorer · colour: blue');
    expect(describeGrounding({ ...sky, grounding: null })).toMatch(/no detector on this server/);
  });

  it('has nothing to say without a task', () => {
    expect(describeGrounding({ task: null, path: null, grounding: null })).toBeNull();
  });
});
