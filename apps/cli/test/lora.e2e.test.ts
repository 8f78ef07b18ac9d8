import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEAD_TARGETS, LoraWeights, saveLora } from '@tasam/lora';

const bin = join(__dirname, '..', 'dist', 'bin.js');

describe('built tasam binary: lora inspect', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tasam-lora-bin-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('inspects a saved adapter as JSON in a subprocess', async () => {
    const file = join(dir, 'dogs.safetensors');
    const random = LoraWeights.random(HEAD_TARGETS, { rank: 2, seed: 1 });
    await saveLora(
      file,
      new LoraWeights({ rank: 2, alpha: 4, layers: random.layers, metadata: { task: 'segment all dogs' } }),
    );
    const result = spawnSync(process.execPath, [bin, 'lora', 'inspect', file, '--json'], {
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ file, rank: 2, alpha: 4, scaling: 2, task: 'segment all dogs' });
    expect(report.layers).toHaveLength(15);
  });

  it('exits 1 with one line naming a missing file', () => {
    const missing = join(dir, 'nope.safetensors');
    const result = spawnSync(process.execPath, [bin, 'lora', 'inspect', missing], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`tasam: ${missing}: cannot read file (ENOENT)\n`);
  });
});
