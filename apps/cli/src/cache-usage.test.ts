import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearCache, formatBytes, measureCache } from './cache-usage';

describe('cache usage', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-cache-'));
    env = { TASAM_CACHE: root };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('measures each kind, recursively, without following links', () => {
    mkdirSync(join(root, 'embeddings', 'ab'), { recursive: true });
    writeFileSync(join(root, 'embeddings', 'ab', 'x.bin'), Buffer.alloc(1500));
    writeFileSync(join(root, 'embeddings', 'y.bin'), Buffer.alloc(500));
    mkdirSync(join(root, 'loras'));
    writeFileSync(join(root, 'loras', 'task.safetensors'), Buffer.alloc(10));
    // A link to a large directory outside must not be counted.
    const outside = mkdtempSync(join(tmpdir(), 'tasam-outside-'));
    writeFileSync(join(outside, 'big.bin'), Buffer.alloc(100_000));
    symlinkSync(outside, join(root, 'loras', 'link'));

    const report = measureCache(env);
    expect(report.root).toBe(root);
    expect(report.writable).toBe(true);
    expect(report.kinds).toEqual([
      { kind: 'embeddings', path: join(root, 'embeddings'), files: 2, bytes: 2000 },
      { kind: 'detections', path: join(root, 'detections'), files: 0, bytes: 0 },
      { kind: 'models', path: join(root, 'models'), files: 0, bytes: 0 },
      { kind: 'loras', path: join(root, 'loras'), files: 1, bytes: 10 },
      { kind: 'text', path: join(root, 'text'), files: 0, bytes: 0 },
    ]);
    expect(report.files).toBe(3);
    expect(report.bytes).toBe(2010);
    rmSync(outside, { recursive: true, force: true });
  });

  it('reports a root that does not exist yet as writable when its parent is', () => {
    const report = measureCache({ TASAM_CACHE: join(root, 'not', 'yet') });
    expect(report.writable).toBe(true);
    expect(report.files).toBe(0);
  });

  it('clears only the given kinds, leaving the rest and the root', async () => {
    for (const kind of ['embeddings', 'loras', 'text']) {
      mkdirSync(join(root, kind));
      writeFileSync(join(root, kind, 'f'), Buffer.alloc(7));
    }
    writeFileSync(join(root, 'user-file.txt'), 'not ours');
    const cleared = await clearCache(['embeddings', 'loras', 'models'], env);
    expect(cleared.map((usage) => [usage.kind, usage.files, usage.bytes])).toEqual([
      ['embeddings', 1, 7],
      ['loras', 1, 7],
      ['models', 0, 0],
    ]);
    expect(existsSync(join(root, 'embeddings'))).toBe(false);
    expect(existsSync(join(root, 'loras'))).toBe(false);
    expect(existsSync(join(root, 'text', 'f'))).toBe(true);
    expect(readdirSync(root).sort()).toEqual(['text', 'user-file.txt']);
  });

  it('removes what an interrupted clear left aside', async () => {
    mkdirSync(join(root, 'embeddings.clearing-123-456'));
    writeFileSync(join(root, 'embeddings.clearing-123-456', 'f'), 'x');
    await clearCache(['embeddings'], env);
    expect(readdirSync(root)).toEqual([]);
  });

  it('formats sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(12_345)).toBe('12.3 kB');
    expect(formatBytes(45_600_000)).toBe('45.6 MB');
    expect(formatBytes(1_230_000_000)).toBe('1.2 GB');
  });
});
