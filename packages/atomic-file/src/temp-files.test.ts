import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  isProcessAlive,
  removeStaleTempFiles,
  STALE_TEMP_AGE_MS,
  tempPathFor,
  tempWriterPid,
} from './temp-files';
import { writeFileAtomic, writeFileAtomicSync } from './write-file-atomic';

/** The pid of a process that has exited (and been reaped): nothing runs under it any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  if (child.pid === undefined) throw new Error('could not start a child process');
  return child.pid;
}

/** Sets a file's modification time `ms` into the past. */
function age(path: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  utimesSync(path, when, when);
}

describe('temporary files of atomic writers', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names a temporary file beside its target with this process pid', () => {
    const path = join(dir, 'a.safetensors');
    const temp = tempPathFor(path);
    expect(dirname(temp)).toBe(dir);
    expect(basename(temp)).toMatch(/^a\.safetensors\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(tempWriterPid(basename(temp))).toBe(process.pid);
    expect(basename(tempPathFor(path, true))).toMatch(/^\.a\.safetensors\.\d+\.[0-9a-f]{8}\.tmp$/);
    expect(tempPathFor(path)).not.toBe(temp);
  });

  it("reads the writer's pid from every temporary name the repository writes, and nothing else", () => {
    expect(tempWriterPid('ab12-cd34.emb.4242.1712345678901.tmp')).toBe(4242);
    expect(tempWriterPid('.model.safetensors.4242.0a1b2c3d.tmp')).toBe(4242);
    expect(tempWriterPid('.step-000012.4242.12345678.tmp')).toBe(4242);
    expect(tempWriterPid('sam-trunk-1-ort1.30.0-all-cpu-56bf8aea.onnx.4242.tmp')).toBe(4242);
    expect(tempWriterPid('eval-shard-000-of-002.json.4242.deadbeef.tmp')).toBe(4242);
    for (const name of [
      'a.emb',
      'latest.json',
      'notes.tmp',
      'x.0.0a1b2c3d.tmp',
      'x.tmp.json',
      'step-000012',
      'notes.2024.tmp',
      'report.2024.v2.tmp',
      'data.4242.ABCDEF01.tmp',
    ]) {
      expect(tempWriterPid(name)).toBeUndefined();
    }
  });

  it('tells a live process from one that has exited', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
  });

  it("removes a dead writer's old temporary files and directories, nothing else", () => {
    const dead = deadPid();
    const file = join(dir, `x.emb.${dead}.1712345678901.tmp`);
    const folder = join(dir, `.step-000004.${dead}.0a1b2c3d.tmp`);
    writeFileSync(file, 'half');
    mkdirSync(folder);
    writeFileSync(join(folder, 'model.safetensors'), 'half');
    age(file, STALE_TEMP_AGE_MS + 60_000);
    age(folder, STALE_TEMP_AGE_MS + 60_000);
    const mine = join(dir, `y.emb.${process.pid}.1712345678901.tmp`);
    const complete = join(dir, 'x.emb');
    const other = join(dir, `notes.${dead}.txt`);
    for (const path of [mine, complete, other]) {
      writeFileSync(path, 'keep');
      age(path, STALE_TEMP_AGE_MS + 60_000);
    }
    expect(removeStaleTempFiles(dir).sort()).toEqual([basename(folder), basename(file)].sort());
    expect(readdirSync(dir).sort()).toEqual([basename(mine), basename(other), basename(complete)].sort());
  });

  it("keeps a dead writer's recent temporary file (its pid may be a live writer's on another host)", () => {
    const file = join(dir, `x.emb.${deadPid()}.1712345678901.tmp`);
    writeFileSync(file, 'half');
    expect(removeStaleTempFiles(dir)).toEqual([]);
    expect(existsSync(file)).toBe(true);
    expect(removeStaleTempFiles(dir, { minAgeMs: 0 })).toEqual([basename(file)]);
  });

  it("keeps a live writer's temporary file however old", async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const file = join(dir, `x.emb.${child.pid}.1712345678901.tmp`);
      writeFileSync(file, 'being written');
      age(file, STALE_TEMP_AGE_MS * 10);
      expect(removeStaleTempFiles(dir)).toEqual([]);
      expect(existsSync(file)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it('with a prefix, touches only the names that start with it', () => {
    const dead = deadPid();
    const ours = join(dir, `tasam-eval-view.${dead}.0a1b2c3d.tmp`);
    const theirs = join(dir, `other-tool.${dead}.0a1b2c3d.tmp`);
    mkdirSync(ours);
    writeFileSync(theirs, '');
    age(ours, STALE_TEMP_AGE_MS + 60_000);
    age(theirs, STALE_TEMP_AGE_MS + 60_000);
    expect(removeStaleTempFiles(dir, { prefix: 'tasam-' })).toEqual([basename(ours)]);
    expect(readdirSync(dir)).toEqual([basename(theirs)]);
  });

  it('returns nothing for a directory that does not exist', () => {
    expect(removeStaleTempFiles(join(dir, 'missing'))).toEqual([]);
  });

  it("writeFileAtomic clears a killed writer's leftover before its first write into a directory", async () => {
    const target = join(dir, 'out');
    mkdirSync(target);
    const leftover = join(target, `.people.safetensors.${deadPid()}.0a1b2c3d.tmp`);
    writeFileSync(leftover, 'half');
    age(leftover, STALE_TEMP_AGE_MS + 60_000);
    await writeFileAtomic(join(target, 'people.safetensors'), new Uint8Array([1, 2, 3]));
    expect(readdirSync(target)).toEqual(['people.safetensors']);
  });

  it('writes text, bytes and chunks, creating the directory, and leaves no temporary file', async () => {
    const target = join(dir, 'a', 'b', 'out.bin');
    await writeFileAtomic(target, [new Uint8Array([1, 2]), new Uint8Array([3])], { fsync: true });
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    writeFileAtomicSync(target, 'text', { hidden: true, fsync: true });
    expect(readFileSync(target, 'utf8')).toBe('text');
    await writeFileAtomic(target, new Uint8Array([9]));
    expect(readdirSync(dirname(target))).toEqual(['out.bin']);
  });

  it('a failed write rethrows the file system error and leaves neither the target nor a temporary file', async () => {
    const blocked = join(dir, 'file');
    writeFileSync(blocked, 'a file, not a directory');
    // (mkdir under a file: EEXIST or ENOTDIR, by platform)
    await expect(writeFileAtomic(join(blocked, 'out'), 'x')).rejects.toThrow(/EEXIST|ENOTDIR/);
    expect(() => writeFileAtomicSync(join(blocked, 'out'), 'x')).toThrow(/EEXIST|ENOTDIR/);
    const target = join(dir, 'out');
    mkdirSync(target); // renaming a file over a directory fails after the temporary file was written
    await expect(writeFileAtomic(target, 'x', { mkdir: false })).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, 'x')).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['file', 'out']);
    expect(readdirSync(target)).toEqual([]);
  });
});
