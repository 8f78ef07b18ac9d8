import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoFormatError, CocoReadError } from '../errors';
import { parseJsonObject, readJsonFile } from './read-json-file';

const fixture = join(__dirname, '../../test/fixtures/coco/annotations/instances_train2017.json');

describe('readJsonFile / parseJsonObject', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coco-data-json-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a COCO file into the same value as JSON.parse, reporting progress', async () => {
    const expected = JSON.parse(readFileSync(fixture, 'utf8'));
    const progress: number[] = [];
    expect(
      await readJsonFile(fixture, { onProgress: (p) => progress.push(p.bytesRead / p.totalBytes) }),
    ).toEqual(expected);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('gives the same value whatever the chunk and batch boundaries', () => {
    const text = readFileSync(fixture);
    const expected = JSON.parse(text.toString('utf8'));
    for (const chunkBytes of [1, 7, 4096]) {
      for (const batchBytes of [1, 300, 1 << 20]) {
        expect(parseJsonObject(text, 'x', { chunkBytes, batchBytes })).toEqual(expected);
      }
    }
  });

  it('handles strings with escapes, unicode, nested values and scalars at the top level', () => {
    const value = {
      'a "key"': 'v\\"},]',
      list: [{ s: 'é ✓ \u2028', n: [1, [2, { x: '[' }]] }, 'str,}', 3, null, true],
      info: { nested: { deep: [] } },
      empty: [],
      n: -1.5e3,
      s: 'end',
    };
    const text = `\ufeff ${JSON.stringify(value, null, 1)} \n`;
    for (const chunkBytes of [1, 3, 1000]) {
      expect(parseJsonObject(text, 'x', { chunkBytes, batchBytes: 2 })).toEqual(value);
    }
  });

  it('reports truncated and malformed JSON with the file and the place', () => {
    const text = readFileSync(fixture, 'utf8');
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, text.slice(0, Math.floor(text.length * 0.6)));
    return expect(readJsonFile(truncated)).rejects.toThrow(
      new RegExp(`${truncated}: truncated JSON: the text ends inside "annotations"`),
    );
  });

  it('rejects malformed text with CocoFormatError', () => {
    const bad = [
      '[1, 2]',
      '{"a": [1,, 2]}',
      '{"a": [1, 2}',
      '{"a" 1}',
      '{"a": 1} x',
      '{"a": tru}',
      '{"a": [1,]}',
    ];
    for (const text of bad) {
      expect(() => parseJsonObject(text, 'bad.json', { batchBytes: 1 })).toThrow(CocoFormatError);
      expect(() => parseJsonObject(text, 'bad.json')).toThrow(/^bad\.json: /);
    }
  });

  it('gives CocoReadError for missing files and directories', async () => {
    await expect(readJsonFile(join(dir, 'missing.json'))).rejects.toThrow(CocoReadError);
    await expect(readJsonFile(dir)).rejects.toThrow(CocoReadError);
  });
});
