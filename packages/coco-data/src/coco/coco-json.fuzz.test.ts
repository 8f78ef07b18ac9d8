// Fuzzed COCO instances JSON: random text, mutated text of a real file, mutated and random parsed instances.
// Every input gives a CocoDataset whose masks can be built (or are refused with a typed error naming the file)
// or a CocoFormatError naming the file; the streaming parser agrees with JSON.parse on every text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  byteMutations,
  fuzzTimeout,
  hostileJsonValue,
  jsonMutations,
  mutateBytes,
  mutateJson,
  ParserFuzz,
} from '../../../../tools/fuzz/fuzz-harness';
import { CocoFormatError } from '../errors';
import { compressRle, rleArea, rleFromPolygon, rleToBbox, rleToUncompressed } from '../mask';
import { CocoDataset } from './coco-dataset';
import { parseJsonObject } from './read-json-file';

const SOURCE = 'fuzz/instances.json';
const fuzz = new ParserFuzz({
  package: '@tasam/coco-data',
  parser: 'COCO instances JSON',
  isTyped: (error) => error instanceof CocoFormatError,
});
afterAll(() => fuzz.report());

/** The fixture file plus a crowd annotation in each RLE form, so every segmentation kind is mutated. */
function validInstances(): Record<string, unknown> {
  const text = readFileSync(
    join(__dirname, '../../test/fixtures/coco/annotations/instances_val2017.json'),
    'utf8',
  );
  const json = JSON.parse(text) as {
    images: { id: number; width: number; height: number }[];
    annotations: Record<string, unknown>[];
  };
  const [image] = json.images;
  const [first] = json.annotations;
  const rle = rleFromPolygon((first.segmentation as number[][])[0], image.height, image.width);
  let id = 900_000;
  for (const segmentation of [compressRle(rle), rleToUncompressed(rle)]) {
    json.annotations.push({
      ...first,
      id: id++,
      iscrowd: 1,
      segmentation,
      area: rleArea(rle),
      bbox: rleToBbox(rle),
    });
  }
  return json;
}

const VALID = validInstances();
const VALID_TEXT = Buffer.from(JSON.stringify(VALID, null, 1));

/** What a caller does with a dataset: every mask as an Rle (and decoded when small), the queries. */
function use(dataset: CocoDataset): CocoDataset {
  for (const annotation of dataset.annotations) {
    const rle = dataset.annToRle(annotation.id);
    rleArea(rle);
    rleToBbox(rle);
    const image = dataset.image(annotation.image_id)!;
    if (image.width * image.height <= 1 << 20) dataset.annToMask(annotation);
  }
  dataset.imageIds({ categoryIds: dataset.categoryIds().slice(0, 2) });
  dataset.annotationIds({ areaRange: [0, 1e5], iscrowd: false });
  return dataset;
}

const parseText = (bytes: Uint8Array, chunkBytes?: number, batchBytes?: number) =>
  use(CocoDataset.fromJson(parseJsonObject(Buffer.from(bytes), SOURCE, { chunkBytes, batchBytes }), SOURCE));

/**
 * The streaming parser must agree with JSON.parse: the same object when the text is a JSON object (a UTF-8
 * byte order mark allowed), an error when it is not.
 */
function agreesWithJsonParse(
  bytes: Uint8Array,
  chunkBytes?: number,
  batchBytes?: number,
): string | undefined {
  let text = Buffer.from(bytes).toString('utf8');
  if (text.startsWith('\ufeff')) text = text.slice(1);
  let expected: unknown;
  try {
    expected = JSON.parse(text);
  } catch {
    expected = undefined;
  }
  const isObject = typeof expected === 'object' && expected !== null && !Array.isArray(expected);
  let actual: unknown;
  try {
    actual = parseJsonObject(Buffer.from(bytes), SOURCE, { chunkBytes, batchBytes });
  } catch (error) {
    if (!(error instanceof CocoFormatError)) throw error;
    return isObject ? `rejected a valid JSON object: ${(error as Error).message}` : undefined;
  }
  if (!isObject) return `accepted text JSON.parse rejects: ${JSON.stringify(text.slice(0, 80))}`;
  return sameJson(actual, expected) ? undefined : 'parsed differently from JSON.parse';
}

/** Deep equality of parsed JSON, iterative (the texts nest up to 100 000 deep). */
function sameJson(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) {
      if (!Object.is(x, y)) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const keys = Object.keys(x);
    if (keys.length !== Object.keys(y).length) return false;
    for (const key of keys) {
      if (!Object.hasOwn(y, key)) return false;
      stack.push([(x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]]);
    }
  }
  return true;
}

const byteOps = byteMutations(5);
const hostile = hostileJsonValue({ min: -5, max: 1000 });
const jsonOps = jsonMutations({
  replacement: hostile,
  factors: [-1, 0, 0.5, 1e3, 1e9, 2 ** 32, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY],
  maxDepth: 400,
  maxLength: 5,
});
const chunking = fc.tuple(
  fc.option(fc.integer({ min: 1, max: 4096 }), { nil: undefined }),
  fc.option(fc.integer({ min: 1, max: 2048 }), { nil: undefined }),
);

describe('COCO instances JSON regressions found by fuzzing', () => {
  it('keeps a key named __proto__ as a key, as JSON.parse does', () => {
    const parsed = parseJsonObject('{"__proto__": [1], "images": []}', SOURCE);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'images']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('reports what the mask API cannot rasterise: far coordinates, images of 2^32 pixels or more', () => {
    const instances = (width: number, polygon: number[]) => ({
      images: [{ id: 1, width, height: 100_000, file_name: 'a.jpg' }],
      categories: [{ id: 1, name: 'a' }],
      annotations: [{ id: 5, image_id: 1, category_id: 1, segmentation: [polygon] }],
    });
    expect(() => CocoDataset.fromJson(instances(100, [0, 0, 1e9, 0, 0, 9]), SOURCE)).toThrow(
      /annotation 5: polygon 0 value 2 is 1000000000, beyond the ±429496728/,
    );
    expect(() => CocoDataset.fromJson(instances(100_000, [0, 0, 9, 0, 0, 9]), SOURCE)).toThrow(
      /image 1: size 100000 x 100000 has more pixels than an RLE can count/,
    );
  });

  it('accepts a byte order mark only whole and first', () => {
    expect(parseJsonObject(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), SOURCE)).toEqual({});
    for (const bytes of [
      [0xef, 0x7b, 0x7d],
      [0x20, 0xbb, 0x7b, 0x7d],
      [0x20, 0xef, 0xbb, 0xbf, 0x7b, 0x7d],
    ])
      expect(() => parseJsonObject(Buffer.from(bytes), SOURCE)).toThrow(CocoFormatError);
  });
});

describe('COCO instances JSON under fuzzing', () => {
  it(
    'parses random text as JSON.parse does, and rejects what is not an instances file with CocoFormatError',
    () => {
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)),
        fc.uint8Array({ maxLength: 200 }),
        fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
        fc
          .dictionary(
            fc.constantFrom('images', 'annotations', 'categories', '__proto__', 'info', 'x'),
            hostile,
          )
          .map((v) => Buffer.from(JSON.stringify(v))),
        // Byte order marks, whole or in part, with whitespace, before an object.
        fc
          .tuple(fc.subarray([0xef, 0xbb, 0xbf, 0x20, 0x0a]), fc.constantFrom('{}', ' {"images":[]}', '[]'))
          .map(([prefix, rest]) => Buffer.concat([Buffer.from(prefix), Buffer.from(rest)])),
        // Deep nesting inside a top-level array and value.
        fc
          .tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('images', 'info'))
          .map(([depth, key]) => Buffer.from(`{"${key}":[${'['.repeat(depth)}${']'.repeat(depth)}]}`)),
      );
      fc.assert(
        fc.property(text, chunking, (bytes, [chunkBytes, batchBytes]) =>
          fuzz.run(
            SOURCE,
            () => {
              const disagreement = agreesWithJsonParse(bytes, chunkBytes, batchBytes);
              if (disagreement) return disagreement;
              parseText(bytes, chunkBytes, batchBytes);
              return undefined;
            },
            { check: (problem) => problem },
          ),
        ),
        fuzz.property('random text'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'parses mutated text of a real file (bit flips, truncation, insertions) or rejects it naming the file',
    () => {
      fc.assert(
        fc.property(byteOps, chunking, (ops, [chunkBytes, batchBytes]) => {
          const bytes = mutateBytes(VALID_TEXT, ops);
          return fuzz.run(
            SOURCE,
            () => {
              const disagreement = agreesWithJsonParse(bytes, chunkBytes, batchBytes);
              if (disagreement) return disagreement;
              parseText(bytes, chunkBytes, batchBytes);
              return undefined;
            },
            { check: (problem) => problem },
          );
        }),
        fuzz.property('mutated text'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'validates mutated instances (deleted fields, wrong types, huge, negative, NaN, deep nesting)',
    () => {
      fc.assert(
        fc.property(jsonOps, (ops) => {
          const json = mutateJson(VALID, ops);
          return fuzz.run(SOURCE, () => use(CocoDataset.fromJson(json, SOURCE)));
        }),
        fuzz.property('mutated instances'),
      );
    },
    fuzzTimeout(),
  );

  it(
    'validates random instances built from hostile values',
    () => {
      const id = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 6 }, hostile);
      const positive = fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 6 },
        fc.constantFrom(2 ** 16, 2 ** 31, 2 ** 53 - 1),
        hostile,
      );
      const number = fc.oneof(
        { arbitrary: fc.double({ min: -5, max: 50, noNaN: true }), weight: 6 },
        hostile,
      );
      const segmentation = fc.oneof(
        fc.array(fc.array(number, { maxLength: 12 }), { maxLength: 3 }),
        fc.record({
          size: fc.oneof(fc.tuple(positive, positive), hostile),
          counts: fc.oneof(fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 8 }), fc.string(), hostile),
        }),
        hostile,
      );
      const instances = fc.record({
        images: fc.array(fc.record({ id, width: positive, height: positive, file_name: fc.string() }), {
          maxLength: 3,
        }),
        categories: fc.array(fc.record({ id, name: fc.oneof(fc.string(), hostile) }), { maxLength: 3 }),
        annotations: fc.array(
          fc.record(
            {
              id,
              image_id: id,
              category_id: id,
              segmentation,
              area: number,
              bbox: fc.oneof(fc.array(number, { minLength: 4, maxLength: 4 }), hostile),
              iscrowd: fc.oneof(fc.constantFrom(0, 1), hostile),
            },
            { requiredKeys: ['id', 'image_id', 'category_id', 'segmentation'] },
          ),
          { maxLength: 4 },
        ),
      });
      fc.assert(
        fc.property(instances, (json) => fuzz.run(SOURCE, () => use(CocoDataset.fromJson(json, SOURCE)))),
        fuzz.property('random instances'),
      );
    },
    fuzzTimeout(),
  );
});
