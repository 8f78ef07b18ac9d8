import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const forbidNetwork = join(__dirname, 'forbid-network.cjs');

describe('tasam embed-text as a subprocess', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-embed-text-bin-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('embeds offline, with fetch, http(s) and sockets made to throw', () => {
    const result = spawnSync(
      process.execPath,
      ['--require', forbidNetwork, bin, 'embed-text', 'segment all people', 'mask the dogs', '--json'],
      { encoding: 'utf8', env: { ...process.env, TASAM_CACHE: root } },
    );
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout) as { dim: number; embeddings: { vector: number[] }[] };
    expect(output.dim).toBe(512);
    expect(output.embeddings).toHaveLength(2);
    expect(result.stderr).not.toMatch(/network access attempted|tfjs-node/);
  }, 60_000);

  it('exits 1 with the how-to when MiniLM weights are missing', () => {
    const result = spawnSync(process.execPath, [bin, 'embed-text', 'dogs', '--encoder', 'minilm'], {
      encoding: 'utf8',
      env: { ...process.env, TASAM_CACHE: root, TASAM_TEXT_MODEL_DIR: '' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tasam: minilm: no model directory given\./);
  });
});
