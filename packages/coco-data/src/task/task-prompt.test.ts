import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../sampling';
import { nounForms, pluralize } from './noun-forms';
import { renderTask, synthesizeTask } from './task-prompt';
import { TASK_TEMPLATES } from './task-templates';

const categories: { name: string }[] = JSON.parse(
  readFileSync(join(__dirname, '../../test/fixtures/coco/annotations/instances_train2017.json'), 'utf8'),
).categories;

describe('task prompts', () => {
  it('has at least 12 distinct phrasings, for both scopes, each with a noun placeholder', () => {
    const texts = new Set(TASK_TEMPLATES.map((t) => t.text));
    expect(texts.size).toBe(TASK_TEMPLATES.length);
    expect(TASK_TEMPLATES.filter((t) => t.scope === 'category').length).toBeGreaterThanOrEqual(12);
    expect(TASK_TEMPLATES.filter((t) => t.scope === 'instance').length).toBeGreaterThanOrEqual(6);
    for (const t of TASK_TEMPLATES) expect(t.text).toMatch(/\{(plural|singular|a)\}/);
  });

  it('inflects every COCO category name', () => {
    expect(categories).toHaveLength(80);
    const expected: Record<string, [string, string, string]> = {
      person: ['person', 'people', 'a'],
      bus: ['bus', 'buses', 'a'],
      'wine glass': ['wine glass', 'wine glasses', 'a'],
      knife: ['knife', 'knives', 'a'],
      sandwich: ['sandwich', 'sandwiches', 'a'],
      skis: ['pair of skis', 'skis', 'a'],
      scissors: ['pair of scissors', 'scissors', 'a'],
      sheep: ['sheep', 'sheep', 'a'],
      mouse: ['mouse', 'mice', 'a'],
      broccoli: ['broccoli', 'broccoli', 'some'],
      umbrella: ['umbrella', 'umbrellas', 'an'],
      'hair drier': ['hair drier', 'hair driers', 'a'],
      toothbrush: ['toothbrush', 'toothbrushes', 'a'],
      couch: ['couch', 'couches', 'a'],
      tv: ['TV', 'TVs', 'a'],
      'teddy bear': ['teddy bear', 'teddy bears', 'a'],
      bench: ['bench', 'benches', 'a'],
    };
    for (const { name } of categories) {
      const forms = nounForms(name);
      expect(forms.singular.length).toBeGreaterThan(0);
      if (expected[name]) expect([forms.singular, forms.plural, forms.article]).toEqual(expected[name]);
      else expect(forms.plural).toBe(`${name}s`);
    }
    expect(pluralize('butterfly')).toBe('butterflies');
    expect(pluralize('toy')).toBe('toys');
  });

  it('renders templates with attributes and articles', () => {
    const all = { text: 'segment all {plural}', scope: 'category' as const };
    const one = { text: 'find {a}', scope: 'instance' as const };
    expect(renderTask(all, 'apple', { attribute: 'red' }).text).toBe('segment all red apples');
    expect(renderTask(one, 'apple').text).toBe('find an apple');
    expect(renderTask(one, 'apple', { attribute: 'red' }).text).toBe('find a red apple');
    expect(renderTask(one, 'dog', { attribute: 'old' }).text).toBe('find an old dog');
    expect(renderTask(one, 'broccoli', { attribute: 'small' }).text).toBe('find some small broccoli');
    expect(renderTask(all, 'person').text).toBe('segment all people');
    const prompt = renderTask(one, 'skis');
    expect(prompt).toEqual({
      text: 'find a pair of skis',
      scope: 'instance',
      category: 'skis',
      template: 'find {a}',
    });
  });

  it('draws templates deterministically under a seed and uses them all', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 200 },
        (_, i) => synthesizeTask('dog', i % 2 ? 'instance' : 'category', new SeededRandom(seed, i)).text,
      );
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(new Set(draw(1)).size).toBe(TASK_TEMPLATES.length);
    expect(() => synthesizeTask('dog', 'instance', new SeededRandom(1), { templates: [] })).toThrow(
      /no template/,
    );
  });
});
