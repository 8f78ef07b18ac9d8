import { writeFileSync } from 'node:fs';
import { type CachedTextEncoder, createTextEncoder } from '@tasam/text-encoder';
import {
  buildPhrasingTable,
  calibrateMargin,
  loadGroundingVectors,
  NONE_MARGIN,
  phrasingTexts,
  TaskGrounder,
  TaskTextEmptyError,
} from '../src';
import { GROUNDING_CALIBRATION_SET } from './grounding-calibration-set';
import { GROUNDING_OPEN_VOCABULARY_SET } from './grounding-open-vocabulary-set';
import { accuracyReport, formatReport } from './grounding-report';
import { GROUNDING_TEST_SET } from './grounding-test-set';

// The real offline text encoder (USE-lite), no mocks: these tests measure the grounding method itself. The
// CPU is shared, so the model load and the batched runs get wide timeouts; nothing here asserts speed.
const WIDE = 120_000;
let encoder: CachedTextEncoder;
let grounder: TaskGrounder;

beforeAll(async () => {
  encoder = await createTextEncoder();
  grounder = await TaskGrounder.create(encoder);
}, WIDE);

afterAll(async () => {
  await encoder?.dispose();
});

describe('the shipped phrasing vectors (data/grounding-vectors.*)', () => {
  it(
    'are what the encoder gives for the current table (else: pnpm --filter @tasam/task-segmentation grounding-vectors)',
    async () => {
      const texts = phrasingTexts(buildPhrasingTable());
      const shipped = loadGroundingVectors(encoder.id, texts);
      expect(shipped).toBeDefined();
      const fresh = await encoder.embed(texts);
      let worst = 0;
      fresh.forEach((vector, i) => {
        for (let d = 0; d < vector.length; d++)
          worst = Math.max(worst, Math.abs(vector[d] - (shipped as Float32Array[])[i][d]));
      });
      expect(worst).toBeLessThan(1e-4);
    },
    WIDE,
  );

  it(
    'are not used for another encoder or another table, and ground the test set as embedding does',
    async () => {
      const texts = phrasingTexts(buildPhrasingTable());
      expect(loadGroundingVectors('another-encoder', texts)).toBeUndefined();
      expect(loadGroundingVectors(encoder.id, [...texts, 'one more phrasing'])).toBeUndefined();
      const embedded = await TaskGrounder.create(encoder, { precomputed: false });
      const tasks = GROUNDING_TEST_SET.map((c) => c.text);
      expect(await grounder.groundMany(tasks)).toEqual(await embedded.groundMany(tasks));
    },
    WIDE,
  );
});

describe('calibration of the "none" margin', () => {
  it(
    'NONE_MARGIN still lies in the best interval of the calibration set',
    async () => {
      const explanations = await grounder.explain(GROUNDING_CALIBRATION_SET.map((c) => c.text));
      const samples = explanations.map((explanation, i) => ({
        margin: Math.max(...explanation.parts.map((part) => part.margin)),
        grounded: GROUNDING_CALIBRATION_SET[i].categories.length > 0,
      }));
      const calibration = calibrateMargin(samples);
      console.log(
        `calibration (${samples.length} texts): best threshold interval (${calibration.low.toFixed(3)}, ` +
          `${calibration.high.toFixed(3)}], ${calibration.errors} errors; NONE_MARGIN ${NONE_MARGIN}`,
      );
      expect(NONE_MARGIN).toBeGreaterThan(calibration.low);
      expect(NONE_MARGIN).toBeLessThanOrEqual(calibration.high);
      expect(NONE_MARGIN).toBeCloseTo(calibration.threshold, 1);
    },
    WIDE,
  );

  it(
    'grounds the calibration set (the list the method was tuned on) at least 0.95 exactly',
    async () => {
      const groundings = await grounder.groundMany(GROUNDING_CALIBRATION_SET.map((c) => c.text));
      const report = accuracyReport(GROUNDING_CALIBRATION_SET, groundings);
      console.log(formatReport('grounding calibration set', report));
      expect(report.accuracy).toBeGreaterThanOrEqual(0.95);
    },
    WIDE,
  );
});

describe('grounding accuracy on the held-out test set', () => {
  it(
    'is at least 0.90 exact (same categories, colour and grounded flag)',
    async () => {
      expect(GROUNDING_TEST_SET.length).toBeGreaterThanOrEqual(150);
      expect(GROUNDING_TEST_SET.filter((c) => c.categories.length === 0).length).toBeGreaterThanOrEqual(15);
      const calibrationTexts = new Set(GROUNDING_CALIBRATION_SET.map((c) => c.text));
      expect(GROUNDING_TEST_SET.filter((c) => calibrationTexts.has(c.text))).toEqual([]);

      const groundings = await grounder.groundMany(GROUNDING_TEST_SET.map((c) => c.text));
      const report = accuracyReport(GROUNDING_TEST_SET, groundings);
      console.log(formatReport('grounding test set', report));
      // GROUNDING_REPORT=path records the report as JSON (the README's figures come from it).
      const out = process.env.GROUNDING_REPORT;
      if (out) writeFileSync(out, `${JSON.stringify({ version: grounder.version, ...report }, null, 2)}\n`);
      expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    },
    WIDE,
  );
});

describe('grounding open-vocabulary phrasings (kinds of things, words outside the phrasing table)', () => {
  it(
    'is at least 0.80 exact with the WordNet lexicon, and the lexicon is what gets it there',
    async () => {
      const texts = GROUNDING_OPEN_VOCABULARY_SET.map((c) => c.text);
      const report = accuracyReport(GROUNDING_OPEN_VOCABULARY_SET, await grounder.groundMany(texts));
      console.log(formatReport('grounding open-vocabulary set', report));
      const without = await TaskGrounder.create(encoder, { lexicon: null });
      const before = accuracyReport(GROUNDING_OPEN_VOCABULARY_SET, await without.groundMany(texts));
      console.log(formatReport('grounding open-vocabulary set, no lexicon', before));
      expect(report.accuracy).toBeGreaterThanOrEqual(0.8);
      expect(report.accuracy).toBeGreaterThan(before.accuracy);
    },
    WIDE,
  );
});

describe('TaskGrounder', () => {
  it(
    'returns exactly the documented shape',
    async () => {
      const grounding = await grounder.ground('segment all red apples');
      expect(Object.keys(grounding).sort()).toEqual(['categories', 'colour', 'grounded', 'task']);
      expect(grounding).toEqual({
        task: 'segment all red apples',
        grounded: true,
        categories: [{ id: 53, name: 'apple', score: expect.any(Number) }],
        colour: 'red',
      });
      expect(grounding.categories[0].score).toBeGreaterThan(0.9);
    },
    WIDE,
  );

  it(
    'orders several categories best first and keeps the colour of an ungrounded task',
    async () => {
      const tasks = ['find the big dogs and the cats', 'segment the blue sky', 'the fruit'];
      const [pets, sky, fruit] = await grounder.groundMany(tasks);
      // "cats" is a phrasing itself; "big dogs" only near one.
      expect(pets.categories.map((c) => c.name)).toEqual(['cat', 'dog']);
      expect(pets.categories[0].score).toBeGreaterThan(pets.categories[1].score);
      expect(sky).toEqual({ task: 'segment the blue sky', grounded: false, categories: [], colour: 'blue' });
      expect(fruit.categories.map((c) => c.id)).toEqual([52, 53, 55]);
    },
    WIDE,
  );

  it(
    'embeds each distinct part once for a batch, in one encoder call',
    async () => {
      const tasks = ['segment all zebras', 'find the zebras', 'zebras and bees', 'segment all'];
      const results = await grounder.groundMany(tasks);
      expect(encoder.lastStats.memoryHits + encoder.lastStats.encoded).toBe(2); // "zebras", "bees"
      expect(results.map((r) => r.task)).toEqual(tasks);
      expect(results[3]).toEqual({ task: 'segment all', grounded: false, categories: [], colour: null });
    },
    WIDE,
  );

  it(
    'explains a grounding: the part, its nearest phrasing and anchor, and the margin',
    async () => {
      const [explanation] = await grounder.explain(['segment the elefant on the grass']);
      expect(explanation.corrections).toEqual([{ from: 'elefant', to: 'elephant' }]);
      expect(explanation.parts).toHaveLength(1);
      expect(explanation.parts[0]).toMatchObject({ text: 'elephant', phrasing: 'elephant', grounded: true });
      expect(explanation.parts[0].margin).toBeCloseTo(
        explanation.parts[0].score - explanation.parts[0].anchorScore,
        6,
      );
    },
    WIDE,
  );

  it(
    'rejects empty and whitespace-only tasks with TaskTextEmptyError before embedding anything',
    async () => {
      await expect(grounder.ground('')).rejects.toThrow(TaskTextEmptyError);
      await expect(grounder.groundMany(['segment all dogs', '  '])).rejects.toMatchObject({
        code: 'TASK_TEXT_EMPTY',
        message: expect.stringContaining('tasks[1]: is only whitespace'),
      });
    },
    WIDE,
  );

  it(
    'takes its margin from the options and rejects a non-finite one',
    async () => {
      const strict = await TaskGrounder.create(encoder, { noneMargin: 2 });
      expect((await strict.ground('segment all dogs')).grounded).toBe(false);
      expect(strict.version).not.toBe(grounder.version);
      await expect(TaskGrounder.create(encoder, { noneMargin: Number.NaN })).rejects.toThrow(RangeError);
    },
    WIDE,
  );
});
