import { COCO_CATEGORIES } from '@tasam/coco-data';
import { GroundingPhrasingError } from './errors';
import { buildPhrasingTable } from './phrasing-table';

const table = buildPhrasingTable();
const names = (texts: string[]) =>
  texts.map((text) => {
    const phrasing = table.phrasings.find((p) => p.text === text);
    return phrasing?.categories.map((i) => table.categories[i].name);
  });

describe('buildPhrasingTable', () => {
  it('phrases every COCO category by its name and plural', () => {
    for (const [i, category] of COCO_CATEGORIES.entries())
      expect(table.phrasings.some((p) => p.text === category.name && p.categories[0] === i)).toBe(true);
    expect(names(['people', 'buses', 'knives', 'tvs', 'wine glasses', 'skis'])).toEqual([
      ['person'],
      ['bus'],
      ['knife'],
      ['tv'],
      ['wine glass'],
      ['skis'],
    ]);
  });

  it('adds synonyms with a regular plural unless they have none', () => {
    expect(names(['pooch', 'puppies', 'fridge', 'fridges', 'sofa', 'automobile', 'motorbikes'])).toEqual([
      ['dog'],
      ['dog'],
      ['refrigerator'],
      ['refrigerator'],
      ['couch'],
      ['car'],
      ['motorcycle'],
    ]);
    expect(table.phrasings.some((p) => p.text === 'mens' || p.text === 'luggages')).toBe(false);
  });

  it('expands groups to supercategories and explicit lists', () => {
    expect(names(['fruit'])).toEqual([['banana', 'apple', 'orange']]);
    expect(names(['vehicles'])[0]).toEqual([
      'bicycle',
      'car',
      'motorcycle',
      'airplane',
      'bus',
      'train',
      'truck',
      'boat',
    ]);
    expect(names(['food'])[0]).toHaveLength(10);
    expect(table.phrasings.find((p) => p.text === 'animals')?.source).toBe('group');
  });

  it('keeps stuff anchors apart from phrasings and adds their plurals', () => {
    expect(table.anchors).toEqual(
      expect.arrayContaining(['sky', 'tree', 'trees', 'wall', 'walls', 'playing field']),
    );
    const phrasingTexts = new Set(table.phrasings.map((p) => p.text));
    expect(table.anchors.filter((anchor) => phrasingTexts.has(anchor))).toEqual([]);
  });

  it('rejects synonyms and groups that name nothing', () => {
    expect(() => buildPhrasingTable({ synonyms: { unicorn: ['horned horse'] } })).toThrow(
      GroundingPhrasingError,
    );
    expect(() => buildPhrasingTable({ groups: [{ phrasings: ['toys'], categories: ['yoyo'] }] })).toThrow(
      /groups\[0\]\.categories: "yoyo" names no category/,
    );
    expect(() => buildPhrasingTable({ groups: [{ phrasings: ['x'], supercategories: ['plants'] }] })).toThrow(
      /"plants" has no category/,
    );
    expect(() => buildPhrasingTable({ groups: [{ phrasings: ['nothing'] }] })).toThrow(/selects no category/);
  });
});
