import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CachedTextEncoder,
  cosineSimilarity,
  createTextEncoder,
  TextModelLoadError,
  TextModelMissingError,
} from '../src';
import { forbidNetwork } from './no-network';
import { type TinyBert, writeTinyBert } from './tiny-bert';

/** The expected vector worked out by hand: tanh of the embedding sum per token, mean, unit length. */
function handEmbedding(model: TinyBert, tokens: string[]): number[] {
  const sum = new Array<number>(model.hidden).fill(0);
  for (const token of tokens) {
    const id = model.vocab.indexOf(token);
    expect(id).toBeGreaterThanOrEqual(0);
    for (let h = 0; h < model.hidden; h++)
      sum[h] += Math.tanh(model.wordEmbeddings[id * model.hidden + h] + model.typeEmbeddings[h]);
  }
  const mean = sum.map((x) => x / tokens.length);
  const norm = Math.hypot(...mean);
  return mean.map((x) => x / norm);
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));

// Networking is impossible for the whole file, installed before transformers.js loads (it keeps the fetch
// it finds at load time), so every request it would make is refused and recorded.
let guard: ReturnType<typeof forbidNetwork>;
beforeAll(() => {
  guard = forbidNetwork();
});
afterAll(() => guard.restore());

describe('minilm backend on a tiny BERT the test builds', () => {
  let root: string;
  let model: TinyBert;
  let encoder: CachedTextEncoder;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tasam-minilm-'));
    model = writeTinyBert(join(root, 'tiny-bert'), { maxSeqLength: 8 });
    encoder = await createTextEncoder({ backend: 'minilm', modelDir: model.dir, memoryCacheSize: 0 });
  }, 60_000);

  afterAll(async () => {
    await encoder?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('takes its width from config.json and names the weights by their hash', () => {
    expect(encoder.dim).toBe(model.hidden);
    expect(encoder.id).toMatch(/^minilm:tiny-bert@[0-9a-f]{12}$/);
  });

  it('mean-pools the last hidden state over [CLS] words [SEP] and L2-normalises, as computed by hand', async () => {
    const [vector] = await encoder.embed(['Segment all red apples']);
    const expected = handEmbedding(model, ['[CLS]', 'segment', 'all', 'red', 'apple', '##s', '[SEP]']);
    expect(maxAbsDiff(vector, expected)).toBeLessThan(1e-6);
  });

  it('excludes padding: a short sentence batched with a long one keeps its own vector', async () => {
    const [short, long] = await encoder.embed(['dog', 'highlight every suitcase on the road']);
    expect(maxAbsDiff(short, handEmbedding(model, ['[CLS]', 'dog', '[SEP]']))).toBeLessThan(1e-6);
    // max_seq_length 8 (sentence_bert_config.json): 'road' is cut, the closing [SEP] kept
    const longTokens = ['[CLS]', 'highlight', 'every', 'suit', '##case', 'on', 'the', '[SEP]'];
    expect(maxAbsDiff(long, handEmbedding(model, longTokens))).toBeLessThan(1e-6);
  });

  it('truncates texts longer than max_seq_length tokens (documented), so the tail no longer matters', async () => {
    const [a, b] = await encoder.embed([
      'segment all the red apples every dog car people',
      'segment all the red apples every suit suit suit suit suit',
    ]);
    expect(cosineSimilarity(a, b)).toBeCloseTo(1, 6);
  });

  it('maps words outside the vocabulary to [UNK]', async () => {
    const [vector] = await encoder.embed(['zebra']);
    expect(maxAbsDiff(vector, handEmbedding(model, ['[CLS]', '[UNK]', '[SEP]']))).toBeLessThan(1e-6);
  });

  it('loaded and ran without touching the network', () => {
    expect(guard.attempts).toEqual([]);
  });

  it('gives the same vector from the built package in plain Node (transformers.js as an ES module)', async () => {
    // jest turns import() into require(); plain Node loads transformers.js' ESM build through import().
    const script = [
      'const { createTextEncoder } = require(process.argv[1]);',
      "createTextEncoder({ backend: 'minilm', modelDir: process.argv[2] })",
      "  .then(async (encoder) => { const [v] = await encoder.embed(['Segment all red apples']);",
      '    process.stdout.write(JSON.stringify({ id: encoder.id, v: Array.from(v) })); await encoder.dispose(); });',
    ].join('\n');
    const result = spawnSync(
      process.execPath,
      ['-e', script, join(__dirname, '..', 'dist', 'index.js'), model.dir],
      {
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    const output = JSON.parse(result.stdout) as { id: string; v: number[] };
    expect(output.id).toBe(encoder.id);
    const [vector] = await encoder.embed(['Segment all red apples']);
    expect(maxAbsDiff(output.v, vector)).toBeLessThan(1e-7);
  }, 60_000);

  it('embeds 64 sentences in batches of 32 with the same vectors as one at a time', async () => {
    const words = [
      'segment',
      'select',
      'highlight',
      'all',
      'the',
      'every',
      'red',
      'apples',
      'dog',
      'people',
      'car',
    ];
    const texts = Array.from({ length: 64 }, (_, i) =>
      Array.from({ length: 1 + (i % 7) }, (__, k) => words[(i * 3 + k * 5) % words.length]).join(' '),
    );
    const batched = await encoder.embed(texts);
    expect(encoder.lastStats.batches).toBe(2);
    for (const i of [0, 13, 27, 63]) {
      const [single] = await encoder.embed([texts[i]]);
      expect(maxAbsDiff(single, batched[i])).toBeLessThan(1e-6);
    }
  });
});

describe('minilm model directory errors', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-minilm-missing-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('without a directory, says how to provide the weights', async () => {
    const error = await createTextEncoder({ backend: 'minilm', env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TextModelMissingError);
    expect((error as TextModelMissingError).code).toBe('TEXT_MODEL_MISSING');
    expect((error as Error).message).toMatch(/--text-model-dir DIR/);
    expect((error as Error).message).toMatch(/TASAM_TEXT_MODEL_DIR/);
    expect((error as Error).message).toMatch(/--allow-download/);
  });

  it('names the directory and the files that are missing in it', async () => {
    const dir = join(root, 'half');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), '{"hidden_size": 384}');
    const error = await createTextEncoder({ backend: 'minilm', modelDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TextModelMissingError);
    expect((error as Error).message).toContain(
      `model directory ${dir}: missing tokenizer.json, tokenizer_config.json, onnx/model.onnx`,
    );
  });

  it('reads the directory from TASAM_TEXT_MODEL_DIR when no modelDir is given', async () => {
    const dir = join(root, 'from-env');
    const error = await createTextEncoder({ backend: 'minilm', env: { TASAM_TEXT_MODEL_DIR: dir } }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain(`model directory ${dir}: does not exist`);
  });

  it('reports a corrupt graph as a load error naming the model', async () => {
    const model = writeTinyBert(join(root, 'corrupt'));
    writeFileSync(join(model.dir, 'onnx', 'model.onnx'), 'not a protobuf');
    const error = await createTextEncoder({ backend: 'minilm', modelDir: model.dir }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TextModelLoadError);
    expect((error as Error).message).toMatch(/^minilm:corrupt@[0-9a-f]{12}: cannot load the model/);
  });

  it('downloads only when allowed: then it asks the hub (blocked here) and fails with a typed error', async () => {
    guard.attempts.length = 0;
    const refused = await createTextEncoder({ backend: 'minilm', modelDir: join(root, 'empty') }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TextModelMissingError);
    expect(guard.attempts).toEqual([]);
    const failed = await createTextEncoder({
      backend: 'minilm',
      modelDir: join(root, 'empty'),
      allowDownload: true,
      downloadDir: join(root, 'downloads'),
    }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TextModelLoadError);
    expect((failed as Error).message).toMatch(
      /^Xenova\/all-MiniLM-L6-v2: download from the Hugging Face hub failed/,
    );
    const hub = guard.attempts.filter((a) =>
      a.startsWith('fetch https://huggingface.co/Xenova/all-MiniLM-L6-v2/'),
    );
    expect(hub.length).toBeGreaterThan(0);
  });
});
