import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointFormatError, decodeScorer, defaultCheckpointPath } from '@tasam/hypernet';
import { decodeSafetensors } from '@tasam/lora';
import { TaskLoraCache } from './task-lora-cache';

describe('TaskLoraCache.open', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tasam-lora-cache-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("decodes the shipped checkpoint's task scorer on first use, the same as decodeScorer", async () => {
    const cache = await TaskLoraCache.open();
    const path = defaultCheckpointPath();
    const expected = decodeScorer(decodeSafetensors(readFileSync(path), path), path)!;
    const scorer = cache.scorer!;
    expect(scorer.config).toEqual(expected.config);
    expect(scorer.toArrays()).toEqual(expected.toArrays());
    expect(cache.scorer).toBe(scorer);
    await cache.dispose();
  });

  it('remembers the checkpoint id beside the LoRAs, the same id TaskLoraGenerator computes', async () => {
    const loraDir = join(dir, 'loras');
    const first = await TaskLoraCache.open({ loraDir });
    const second = await TaskLoraCache.open({ loraDir });
    const bytes = readFileSync(defaultCheckpointPath());
    expect(first.checkpointId).toBe(createHash('sha256').update(bytes).digest('hex').slice(0, 16));
    expect(second.checkpointId).toBe(first.checkpointId);
    expect(readdirSync(loraDir)).toEqual(['checkpoint-ids.json']);
  });

  it('refuses a file that is not safetensors, naming it', async () => {
    const file = join(dir, 'not-a-checkpoint.safetensors');
    writeFileSync(file, 'hello');
    await expect(TaskLoraCache.open({ checkpoint: file })).rejects.toThrow(CheckpointFormatError);
    await expect(TaskLoraCache.open({ checkpoint: file })).rejects.toThrow(file);
  });

  it('refuses a missing checkpoint, naming it', async () => {
    const file = join(dir, 'missing.safetensors');
    await expect(TaskLoraCache.open({ checkpoint: file })).rejects.toThrow(file);
  });
});
