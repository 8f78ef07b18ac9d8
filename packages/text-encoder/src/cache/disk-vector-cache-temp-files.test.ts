import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { STALE_TEMP_AGE_MS } from '@tasam/atomic-file';
import { DiskVectorCache } from './disk-vector-cache';

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

describe('stale temporary files in the text-vector cache', () => {
  const root = mkdtempSync(join(tmpdir(), 'text-stale-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("the first write removes a killed writer's old temporary file and keeps a recent one", async () => {
    const cache = new DiskVectorCache(root, 'test-encoder', 2);
    mkdirSync(cache.dir, { recursive: true });
    const old = `${cache.pathFor('a')}.${deadPid()}.0a1b2c3d.tmp`;
    const recent = `${cache.pathFor('b')}.${deadPid()}.0a1b2c3d.tmp`;
    writeFileSync(old, 'half');
    writeFileSync(recent, 'half');
    const when = new Date(Date.now() - STALE_TEMP_AGE_MS - 60_000);
    utimesSync(old, when, when);
    await cache.set('c', Float32Array.of(1, 2));
    expect(readdirSync(cache.dir).sort()).toEqual([basename(cache.pathFor('c')), basename(recent)].sort());
    expect(await cache.get('c')).toEqual(Float32Array.of(1, 2));
  });
});
