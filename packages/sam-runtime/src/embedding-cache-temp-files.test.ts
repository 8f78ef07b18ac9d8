import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { removeStaleTempFiles, STALE_TEMP_AGE_MS, tempWriterPid } from '@tasam/atomic-file';
import { EmbeddingCache } from './embedding-cache';

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

function age(path: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  utimesSync(path, when, when);
}

const image = { data: Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i), width: 4, height: 3 };
const embedding = { data: new Float32Array(24), dims: [1, 2, 3, 4] };

describe('stale temporary files in the embedding cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'emb-stale-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("the next write removes what a killed `tasam embed` left (`*.emb.<pid>.<ms>.tmp`), not a live writer's", async () => {
    const cache = new EmbeddingCache(dir, 'ab'.repeat(32));
    const other = 'cd'.repeat(32);
    const leftover = `${cache.pathFor(other)}.${deadPid()}.1712345678901.tmp`;
    writeFileSync(leftover, 'half an embedding');
    age(leftover, STALE_TEMP_AGE_MS + 60_000);
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const writing = `${cache.pathFor('ef'.repeat(32))}.${live.pid}.0a1b2c3d.tmp`;
      writeFileSync(writing, 'being written');
      age(writing, STALE_TEMP_AGE_MS + 60_000);
      cache.write(EmbeddingCache.imageDigest(image), embedding);
      expect(readdirSync(dir).sort()).toEqual(
        [basename(cache.pathFor(EmbeddingCache.imageDigest(image))), basename(writing)].sort(),
      );
      expect(cache.read(EmbeddingCache.imageDigest(image)).status).toBe('hit');
    } finally {
      live.kill('SIGKILL');
      await new Promise((resolve) => live.once('exit', resolve));
    }
  });

  it('names temporary files so the pid of their writer can be read back', () => {
    const dead = deadPid();
    const file = join(dir, `x.onnx.${dead}.tmp`);
    writeFileSync(file, '');
    age(file, STALE_TEMP_AGE_MS + 60_000);
    expect(tempWriterPid(basename(file))).toBe(dead);
    expect(removeStaleTempFiles(dir)).toEqual([basename(file)]);
  });
});
