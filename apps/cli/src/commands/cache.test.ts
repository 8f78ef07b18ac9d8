import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIO } from '../../test/capture-io';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';

describe('tasam cache clear', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tasam-cache-'));
    for (const kind of ['embeddings', 'detections', 'models', 'loras', 'text']) {
      mkdirSync(join(root, kind));
      writeFileSync(join(root, kind, 'entry.bin'), Buffer.alloc(2048));
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('clears every kind by default and says what it removed', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['cache', 'clear'], io)).toBe(ExitCode.ok);
    expect(io.out()).toContain(`cleared embeddings 1 files, 2.0 kB  (${join(root, 'embeddings')})`);
    expect(io.out().trim().split('\n')).toHaveLength(5);
    for (const kind of ['embeddings', 'detections', 'models', 'loras', 'text'])
      expect(existsSync(join(root, kind))).toBe(false);
  });

  it('clears only the kinds named with --kind and reports JSON on stdout only', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['cache', 'clear', '--kind', 'embeddings', '--kind', 'text', '--json'], io)).toBe(0);
    const report = JSON.parse(io.out()) as { cleared: { kind: string; files: number; bytes: number }[] };
    expect(report.cleared.map((usage) => usage.kind)).toEqual(['embeddings', 'text']);
    expect(report.cleared[0].bytes).toBe(2048);
    expect(io.err()).toBe('');
    expect(existsSync(join(root, 'embeddings'))).toBe(false);
    expect(existsSync(join(root, 'models', 'entry.bin'))).toBe(true);
  });

  it('rejects an unknown kind with exit 2 and touches nothing', async () => {
    const io = captureIO({ TASAM_CACHE: root });
    expect(await runCli(['cache', 'clear', '--kind', 'everything'], io)).toBe(ExitCode.usage);
    expect(io.err()).toContain("error: option '--kind <kind...>' argument 'everything' is invalid.");
    expect(io.err()).toContain('Allowed choices are embeddings, detections, models, loras, text.');
    expect(existsSync(join(root, 'embeddings', 'entry.bin'))).toBe(true);
  });
});
