import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = join(__dirname, '..', 'dist', 'bin.js');
const examples = resolve(__dirname, '..', '..', '..', 'examples');

// Real encoder runs in child processes; slow on a busy 2-core machine.
jest.setTimeout(240_000);

/** Every file name under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

/** Waits until the child's stderr contains `text`. */
function stderrContains(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (seen.includes(text)) resolve();
    });
    child.on('close', () => reject(new Error(`exited before printing "${text}":\n${seen}`)));
  });
}

describe('tasam embed as a subprocess', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'tasam-embed-e2e-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('--workers 2 runs two child processes on their own shards and merges their manifests', () => {
    const images = join(work, 'images');
    mkdirSync(images);
    copyFileSync(join(examples, 'cats.jpg'), join(images, 'a.jpg'));
    copyFileSync(join(examples, 'suitcases.jpg'), join(images, 'b.jpg'));
    const cache = join(work, 'cache');
    const result = spawnSync(process.execPath, [bin, 'embed', images, '--workers', '2', '--json'], {
      encoding: 'utf8',
      env: { ...process.env, TASAM_CACHE: cache },
    });
    expect(result.status).toBe(0);
    // stdout holds exactly one JSON document; the workers' logs are on stderr, prefixed with their shard.
    const summary = JSON.parse(result.stdout) as { images: number; computed: number; manifest: string };
    expect(summary).toMatchObject({ images: 2, computed: 2, cached: 0 });
    expect(result.stderr).toContain('[0/2] loading SAM ...');
    expect(result.stderr).toContain('[1/2] loading SAM ...');
    expect(result.stderr).toMatch(/embedding 2\/2 100%/);
    const manifestDir = join(summary.manifest, '..');
    expect(readdirSync(manifestDir).sort()).toEqual([
      'manifest.json',
      'shard-000-of-002.json',
      'shard-001-of-002.json',
    ]);
    const shard0 = JSON.parse(readFileSync(join(manifestDir, 'shard-000-of-002.json'), 'utf8'));
    const shard1 = JSON.parse(readFileSync(join(manifestDir, 'shard-001-of-002.json'), 'utf8'));
    expect(shard0.images.map((image: { name: string }) => image.name)).toEqual(['a.jpg']);
    expect(shard1.images.map((image: { name: string }) => image.name)).toEqual(['b.jpg']);
    const merged = JSON.parse(readFileSync(summary.manifest, 'utf8'));
    expect(merged.images.map((image: { name: string }) => image.name)).toEqual(['a.jpg', 'b.jpg']);
    expect(filesUnder(join(cache, 'embeddings')).filter((name) => name.endsWith('.emb'))).toHaveLength(2);
  });

  it('--workers: a failing worker fails the run (exit 1) naming its shard and the bad image', () => {
    const images = join(work, 'images');
    mkdirSync(images);
    copyFileSync(join(examples, 'cats.jpg'), join(images, 'a.jpg'));
    writeFileSync(join(images, 'b.jpg'), 'this is not a JPEG');
    const result = spawnSync(process.execPath, [bin, 'embed', images, '--workers', '2'], {
      encoding: 'utf8',
      env: { ...process.env, TASAM_CACHE: join(work, 'cache') },
    });
    expect(result.status).toBe(1);
    const bad = join(images, 'b.jpg');
    // The worker's own message, prefixed with its shard, then the run's one-line verdict.
    const workerLine = result.stderr.split('\n').find((line) => line.startsWith('[1/2] tasam: '));
    expect(workerLine).toContain(bad);
    expect(result.stderr.trim().split('\n').pop()).toMatch(
      /^tasam: 1 worker failed: shard 1\/2 \(exit 1: .*b\.jpg/,
    );
    expect(result.stdout).toBe('');
  });

  it('stops after the current image on Ctrl-C, exits 130 and leaves no partial files', async () => {
    const cache = join(work, 'cache');
    // Exactly three images, whatever else examples/ holds.
    const three = join(work, 'three');
    mkdirSync(three, { recursive: true });
    for (const name of ['cats.jpg', 'elephants.jpg', 'suitcases.jpg'])
      copyFileSync(join(examples, name), join(three, name));
    const child = spawn(process.execPath, [bin, 'embed', three], {
      env: { ...process.env, TASAM_CACHE: cache },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    await stderrContains(child, 'loading SAM ...');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) =>
      child.on('close', (status) => resolve(status)),
    );
    expect(code).toBe(130);
    expect(stderr).toContain('tasam: SIGINT: finishing the current step, then stopping');
    expect(stderr).toMatch(
      /tasam: interrupted by SIGINT; stopped after [0-2] of 3 images; run the same command/,
    );
    const files = filesUnder(cache);
    expect(files.filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // Every embedding on disk is whole: header + 256*64*64 float32.
    for (const name of files.filter((file) => file.endsWith('.emb'))) {
      expect(readFileSync(join(cache, 'embeddings', name)).length).toBe(136 + 256 * 64 * 64 * 4);
    }
    // No manifest claims a shard that did not finish.
    expect(files.filter((name) => name.startsWith('shard-'))).toEqual([]);
  });
});
