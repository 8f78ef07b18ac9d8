import { TaskTextEmptyError } from './errors';
import { buildPhrasingTable } from './phrasing-table';
import { TaskParser, tokenizeTask } from './task-parser';

const parser = new TaskParser(buildPhrasingTable());
const parse = (task: string) => parser.parse(task);

describe('tokenizeTask', () => {
  it('lower-cases, keeps "," and "&", splits hyphens and drops apostrophes and other punctuation', () => {
    expect(tokenizeTask('Segment ALL the Hot-Dogs, cats & dogs!')).toEqual([
      'segment',
      'all',
      'the',
      'hot',
      'dogs',
      ',',
      'cats',
      '&',
      'dogs',
    ]);
    expect(tokenizeTask("the dog's  ball?")).toEqual(['the', 'dogs', 'ball']);
    expect(tokenizeTask('Café crème')).toEqual(['cafe', 'creme']);
  });
});

describe('TaskParser: stripping', () => {
  it.each([
    ['segment all elephants', ['elephants']],
    ['highlight every suitcase', ['suitcase']],
    ['show me the giraffes', ['giraffes']],
    ['please outline every zebra in the picture', ['zebra']],
    ['give me masks of all the buses', ['buses']],
    ['I want to see the two pizzas', ['pizzas']],
    ['where are the cats?', ['cats']],
    ['can you find the traffic lights', ['traffic lights']],
    ['in this photo, mask each dog', ['dog']],
    ['segment all', []],
    ['segment everything', []],
    ['segment the horses pulling the carriage', ['horses']],
    ['find the dog chasing the frisbee', ['dog']],
    ['segment the cows grazing', ['cows']],
    ['segment the school building', ['school building']],
    ['segment the wedding cake', ['wedding cake']],
  ])('%s → %j', (task, parts) => {
    expect(parse(task).parts).toEqual(parts);
  });

  it('splits at conjunctions, each part on its own', () => {
    expect(parse('cats and dogs').parts).toEqual(['cats', 'dogs']);
    expect(parse('find the forks, knives and spoons').parts).toEqual(['forks', 'knives', 'spoons']);
    expect(parse('segment the horses or the cows').parts).toEqual(['horses', 'cows']);
    expect(parse('skis & snowboards').parts).toEqual(['skis', 'snowboards']);
  });

  it('keeps the head noun phrase before a context phrase', () => {
    expect(parse('segment the cat on the sofa').parts).toEqual(['cat']);
    expect(parse('the people with umbrellas').parts).toEqual(['people']);
    expect(parse('find the dogs next to the car').parts).toEqual(['dogs']);
    expect(parse('segment the fire hydrant').parts).toEqual(['fire hydrant']);
  });
});

describe('TaskParser: colour', () => {
  it.each([
    ['segment all red apples', 'red', ['apples']],
    ['segment the gray elephant', 'grey', ['elephant']],
    ['segment the golden vase', 'gold', ['vase']],
    ['find the dark blue truck', 'blue', ['truck']],
    ['the light green traffic light', 'green', ['traffic light']],
    ['segment the red and white boats', 'red', ['boats']],
    ['segment all elephants', null, ['elephants']],
  ])('%s → %s, %j', (task, colour, parts) => {
    const parsed = parse(task);
    expect(parsed.colour).toBe(colour);
    expect(parsed.parts).toEqual(parts);
  });

  it('reads "orange" as a colour only when a noun follows it', () => {
    expect(parse('orange cars')).toMatchObject({ colour: 'orange', parts: ['cars'] });
    expect(parse('find the orange umbrella')).toMatchObject({ colour: 'orange', parts: ['umbrella'] });
    expect(parse('segment all oranges')).toMatchObject({ colour: null, parts: ['oranges'] });
    expect(parse('segment the orange')).toMatchObject({ colour: null, parts: ['orange'] });
    expect(parse('the orange and the apple')).toMatchObject({ colour: null, parts: ['orange', 'apple'] });
    expect(parse('segment all orange oranges')).toMatchObject({ colour: 'orange', parts: ['oranges'] });
  });
});

describe('TaskParser: misspellings', () => {
  it('corrects unknown words before stripping and embedding, and says so', () => {
    const parsed = parse('segmnet all elefants');
    expect(parsed.parts).toEqual(['elephants']);
    expect(parsed.corrections).toEqual([
      { from: 'segmnet', to: 'segment' },
      { from: 'elefants', to: 'elephants' },
    ]);
    expect(parse('bananna').parts).toEqual(['banana']);
    expect(parse('giraf').parts).toEqual(['giraffe']);
    expect(parse('umbrela').parts).toEqual(['umbrella']);
  });

  it('leaves known words alone: grass stays grass, glass stays glass, cat stays cat', () => {
    expect(parse('segment the grass').parts).toEqual(['grass']);
    expect(parse('segment the glass').parts).toEqual(['glass']);
    expect(parse('segment the cat and the car').parts).toEqual(['cat', 'car']);
    expect(parse('segment the grass').corrections).toEqual([]);
  });
});

describe('TaskParser: empty tasks', () => {
  it.each([
    ['', /task: is empty/],
    ['   \n\t', /task: is only whitespace/],
  ])('rejects %j with TaskTextEmptyError', (task, message) => {
    expect(() => parse(task)).toThrow(TaskTextEmptyError);
    expect(() => parse(task)).toThrow(message);
  });

  it('rejects a non-string and names the input', () => {
    expect(() => parser.parse(42 as unknown as string, 'tasks[3]')).toThrow(
      /tasks\[3\]: is not a string \(number\)/,
    );
    let thrown: unknown;
    try {
      parse('');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'TASK_TEXT_EMPTY', name: 'TaskTextEmptyError' });
  });

  it('accepts punctuation-only text as naming nothing', () => {
    expect(parse('?!').parts).toEqual([]);
  });
});
